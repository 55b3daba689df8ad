extension ArraySlice where Element == UInt8 {
    /// Reads a little-endian `UInt16` at `index`; the caller has checked the bounds.
    func littleEndianUInt16(at index: Int) -> UInt16 {
        UInt16(self[index]) | UInt16(self[index + 1]) << 8
    }

    /// Reads a little-endian `UInt32` at `index`; the caller has checked the bounds.
    func littleEndianUInt32(at index: Int) -> UInt32 {
        UInt32(littleEndianUInt16(at: index)) | UInt32(littleEndianUInt16(at: index + 2)) << 16
    }

    /// Whether the four octets at `index` spell `tag` in ASCII; false past the end.
    func hasTag(_ tag: String, at index: Int) -> Bool {
        let ascii = Array(tag.utf8)
        guard index >= startIndex, index + ascii.count <= endIndex else { return false }
        return self[index..<index + ascii.count].elementsEqual(ascii)
    }
}
