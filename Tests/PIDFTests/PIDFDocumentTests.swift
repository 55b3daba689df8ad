import Testing
@testable import PIDF
@Test func placeholder() {}
