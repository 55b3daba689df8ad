/// A key press, decoded from the terminal by the backend.
public enum KeyInput: Hashable, Sendable {
    case character(Character)
    case enter, escape, tab, backTab, backspace
    case up, down, left, right, pageUp, pageDown, home, end
    /// The terminal changed size.
    case resize
}
