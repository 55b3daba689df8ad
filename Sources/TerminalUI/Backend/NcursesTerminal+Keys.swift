import CNcursesw

extension NcursesTerminal {
    /// Every key typed since the last call, without waiting (poll standard input with
    /// `InputWaiter` first). Includes `.resize` once when the terminal changed size:
    /// then `size` is already the new size and the next `draw` repaints everything.
    public func readKeys() -> [KeyInput] {
        guard !stopped else { return [] }
        var keys: [KeyInput] = []
        // First, so that the KEY_RESIZE that resizeterm queues is read below with the rest.
        var resized = followKernelSize()
        while true {
            var value: wint_t = 0
            let status = wget_wch(window, &value)
            if status == ERR { break }
            guard let key = Self.key(status: status, value: value) else { continue }
            if key == .resize { resized = true } else { keys.append(key) }
        }
        if resized {
            lastDrawn = nil
            keys.append(.resize)
        }
        return keys
    }

    /// The key for one `wget_wch` result: its status (`OK` for a character, `KEY_CODE_YES`
    /// for a function key, `ERR` for nothing) and value. Nil for keys the program has no
    /// use for (other control characters, function keys it does not know).
    static func key(status: Int32, value: wint_t) -> KeyInput? {
        switch status {
        case KEY_CODE_YES:
            switch Int32(bitPattern: value) {
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_RESIZE: return .resize
            default: return nil
            }
        case OK:
            switch value {
            case 9: return .tab
            case 10, 13: return .enter
            case 27: return .escape
            case 8, 127: return .backspace
            case 0..<0x20, 0x80..<0xA0: return nil
            default:
                guard let scalar = Unicode.Scalar(value) else { return nil }
                return .character(Character(scalar))
            }
        default:
            return nil
        }
    }
}
