/// PNG chunk walker: verifies every chunk and drops the ones that carry text, time or EXIF.
enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// eXIf may hold GPS; the text chunks hold free-form Author/Comment/XMP ("Raw profile type exif"
    /// in zTXt is how some tools smuggle EXIF); tIME dates the edit.
    static let droppedChunks: Set<String> = ["eXIf", "tEXt", "zTXt", "iTXt", "tIME"]

    static func sanitize(_ data: [UInt8]) throws(MediaError) -> [UInt8] {
        guard data.starts(with: signature) else { throw .malformed("the PNG signature is damaged") }
        var out = signature
        out.reserveCapacity(data.count)
        var pos = signature.count
        var isFirst = true

        while true {
            guard pos + 12 <= data.count else {
                throw .malformed(isFirst ? "the PNG has no chunks" : "the PNG ends without an IEND chunk")
            }
            let length = MediaBytes.uint32BE(data, pos)
            guard length <= 0x7FFF_FFFF else { throw .malformed("a PNG chunk length is out of range") }
            let type = Array(data[(pos + 4)..<(pos + 8)])
            guard type.allSatisfy(isASCIILetter) else {
                throw .malformed("a PNG chunk at byte \(pos) has an invalid type")
            }
            let name = MediaBytes.fourCC(data, pos + 4)
            let end = pos + 12 + length
            guard end <= data.count else { throw .malformed("the PNG chunk \(name) runs past the end of the file") }
            let stored = UInt32(MediaBytes.uint32BE(data, end - 4))
            guard CRC32.checksum(data[(pos + 4)..<(end - 4)]) == stored else {
                throw .malformed("the PNG chunk \(name) fails its CRC check")
            }
            if isFirst {
                guard name == "IHDR", length == 13 else { throw .malformed("the PNG does not start with an IHDR chunk") }
                isFirst = false
            } else if name == "IHDR" {
                throw .malformed("the PNG has a second IHDR chunk")
            }
            if !droppedChunks.contains(name) {
                out.append(contentsOf: data[pos..<end])
            }
            pos = end
            // Bytes after IEND are not part of the image (appended archives, tool trailers); they go.
            if name == "IEND" { return out }
        }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}

/// CRC-32 as PNG (and zlib, Ethernet) defines it: reflected polynomial 0xEDB88320, init and
/// final XOR 0xFFFFFFFF. Written here because AduanCore depends on Foundation only.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 {
            c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
        }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
