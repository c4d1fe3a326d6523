/// RIFF/WebP chunk walker: drops EXIF and XMP, clears their VP8X flags and rewrites the RIFF size.
enum WebP {
    static let exifFlag: UInt8 = 0x08
    static let xmpFlag: UInt8 = 0x04

    static func sanitize(_ data: [UInt8]) throws(MediaError) -> [UInt8] {
        guard data.count >= 12, data.starts(with: Array("RIFF".utf8)), data[8..<12].elementsEqual("WEBP".utf8) else {
            throw .malformed("the WebP RIFF header is damaged")
        }
        let riffSize = MediaBytes.uint32LE(data, 4)
        guard riffSize >= 4, riffSize % 2 == 0 else { throw .malformed("the WebP RIFF size is invalid") }
        guard 8 + riffSize <= data.count else { throw .malformed("the WebP RIFF size runs past the end of the file") }
        // Bytes beyond the RIFF size are outside the container (appended payloads); they are not copied.
        let containerEnd = 8 + riffSize

        var chunks: [UInt8] = []
        chunks.reserveCapacity(riffSize)
        var pos = 12
        var isFirst = true
        while pos < containerEnd {
            guard pos + 8 <= containerEnd else { throw .malformed("a WebP chunk header is truncated") }
            let name = MediaBytes.fourCC(data, pos)
            let size = MediaBytes.uint32LE(data, pos + 4)
            // Chunks are padded to an even size; the pad byte must be inside the container too.
            let end = pos + 8 + size + (size & 1)
            guard end <= containerEnd else { throw .malformed("the WebP chunk \(name) runs past the end of the file") }
            if isFirst {
                guard ["VP8 ", "VP8L", "VP8X"].contains(name) else {
                    throw .malformed("the WebP does not start with an image chunk")
                }
                isFirst = false
            }
            switch name {
            case "EXIF", "XMP ":
                break
            case "VP8X":
                guard size >= 10 else { throw .malformed("the WebP VP8X chunk is too short") }
                var chunk = Array(data[pos..<end])
                chunk[8] &= ~(exifFlag | xmpFlag)
                chunks.append(contentsOf: chunk)
            default:
                chunks.append(contentsOf: data[pos..<end])
            }
            pos = end
        }
        guard !isFirst else { throw .malformed("the WebP has no image chunk") }

        var out = Array("RIFF".utf8) + MediaBytes.littleEndian(UInt32(4 + chunks.count)) + Array("WEBP".utf8)
        out.append(contentsOf: chunks)
        return out
    }
}
