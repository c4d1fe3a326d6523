/// JPEG marker-segment walker that keeps the image and drops metadata.
///
/// Segments are kept by an allowlist rather than a blocklist so that an unknown APPn a
/// camera vendor invents tomorrow is dropped, not stored.
enum JPEG {
    static func sanitize(_ data: [UInt8]) throws(MediaError) -> [UInt8] {
        guard data.count >= 2, data[0] == 0xFF, data[1] == 0xD8 else {
            throw .malformed("the JPEG start-of-image marker is missing")
        }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(data.count)
        var pos = 2
        var inScan = false
        var sawFrame = false
        var sawScan = false
        // The rebuilt orientation goes after SOI and the APP0 (JFIF) segments that lead the output,
        // where readers look for EXIF.
        var insertionPoint = out.count
        var inLeadingAPP0Run = true
        var exifSeen = false
        var orientation: Int?

        while true {
            if inScan {
                // Entropy-coded data: FF00 is a stuffed byte, FFD0–FFD7 are restart markers and
                // FFFF is fill; any other FFxx ends the scan.
                let start = pos
                var i = pos
                var markerFound = false
                while i < data.count {
                    guard let ff = data[i...].firstIndex(of: 0xFF) else { i = data.count; break }
                    i = ff
                    guard i + 1 < data.count else { i = data.count; break }
                    let next = data[i + 1]
                    if next == 0x00 || (0xD0...0xD7).contains(next) { i += 2; continue }
                    if next == 0xFF { i += 1; continue }
                    markerFound = true
                    break
                }
                out.append(contentsOf: data[start..<i])
                // A file cut off inside its image data still shows most of the picture and holds
                // no metadata there, so it is kept rather than rejected.
                guard markerFound else { break }
                pos = i
                inScan = false
            }

            guard pos < data.count else { throw .malformed("the JPEG ends before its image data") }
            guard data[pos] == 0xFF else { throw .malformed("a JPEG marker was expected at byte \(pos)") }
            // Extra FF fill bytes before a marker are padding; dropping them normalises the output.
            var p = pos
            while p < data.count, data[p] == 0xFF { p += 1 }
            guard p < data.count else { throw .malformed("the JPEG ends inside a marker") }
            let marker = data[p]
            let name = "FF" + (marker < 0x10 ? "0" : "") + String(marker, radix: 16, uppercase: true)

            switch marker {
            case 0xD9:  // EOI
                guard sawScan else { throw .malformed("the JPEG ends before its image data") }
                out.append(contentsOf: [0xFF, 0xD9])
                // Anything after EOI is dropped: Multi-Picture secondary images and vendor trailers
                // live there and carry their own EXIF, and so do polyglot payloads.
                return finish(out, orientation: orientation, at: insertionPoint)
            case 0x00, 0xD8:
                throw .malformed("the JPEG has an invalid marker \(name) at byte \(p - 1)")
            case 0x01, 0xD0...0xD7:  // standalone markers, no length field
                out.append(contentsOf: [0xFF, marker])
                if !sawScan { inLeadingAPP0Run = false }
                pos = p + 1
                continue
            default:
                break
            }

            guard p + 2 < data.count else { throw .malformed("the JPEG segment \(name) header is truncated") }
            let length = MediaBytes.uint16BE(data, p + 1)
            guard length >= 2 else { throw .malformed("the JPEG segment \(name) has an invalid length") }
            let end = p + 1 + length
            guard end <= data.count else { throw .malformed("the JPEG segment \(name) is truncated") }
            let payload = Array(data[(p + 3)..<end])

            if marker == 0xDA {  // SOS
                guard sawFrame else { throw .malformed("the JPEG has image data before its frame header") }
                out.append(contentsOf: [0xFF, marker])
                out.append(contentsOf: data[(p + 1)..<end])
                sawScan = true
                inScan = true
                pos = end
                continue
            }
            if isFrameHeader(marker) { sawFrame = true }

            if keeps(marker: marker, payload: payload) {
                out.append(contentsOf: [0xFF, marker])
                out.append(contentsOf: data[(p + 1)..<end])
                if !sawScan {
                    if inLeadingAPP0Run && marker == 0xE0 {
                        insertionPoint = out.count
                    } else {
                        inLeadingAPP0Run = false
                    }
                }
            } else if marker == 0xE1, !sawScan, !exifSeen, EXIF.isEXIFPayload(payload) {
                // Only the first EXIF block describes the main image; later ones are dropped unread.
                exifSeen = true
                orientation = EXIF.orientation(inAPP1Payload: payload)
            }
            pos = end
        }
        return finish(out, orientation: orientation, at: insertionPoint)
    }

    private static func finish(_ out: [UInt8], orientation: Int?, at insertionPoint: Int) -> [UInt8] {
        // Orientation 1 is the default, so a photo that needs no rotation gets no EXIF at all.
        guard let orientation, orientation != 1 else { return out }
        var result = out
        result.insert(contentsOf: EXIF.minimalOrientationSegment(orientation), at: insertionPoint)
        return result
    }

    /// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    private static func isFrameHeader(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }

    /// APPn segments are kept only when they carry what rendering needs: JFIF (pixel density),
    /// an ICC profile (colours) or Adobe's colour-transform flag. Everything else that is not
    /// an APPn or a comment is image structure and is kept.
    private static func keeps(marker: UInt8, payload: [UInt8]) -> Bool {
        switch marker {
        case 0xE0: payload.starts(with: Array("JFIF\0".utf8))
        // APP2 also carries Multi-Picture (MPF) and FlashPix data; only the ICC profile survives.
        case 0xE2: payload.starts(with: Array("ICC_PROFILE\0".utf8))
        case 0xEE: payload.starts(with: Array("Adobe".utf8))
        case 0xE1...0xEF, 0xFE: false
        default: true
        }
    }
}

/// The few EXIF facts the sanitizer needs, read from untrusted bytes.
enum EXIF {
    static let orientationTag = 0x0112

    static func isEXIFPayload(_ payload: [UInt8]) -> Bool {
        // The sixth byte is meant to be 0 but some writers put 0xFF there.
        payload.count >= 6 && payload.starts(with: Array("Exif\0".utf8))
    }

    /// The Orientation (1–8) recorded in IFD0 of an APP1 EXIF payload; nil when absent or unreadable.
    static func orientation(inAPP1Payload payload: [UInt8]) -> Int? {
        guard isEXIFPayload(payload) else { return nil }
        return orientation(inTIFF: Array(payload[6...]))
    }

    /// Every offset is checked against the buffer; garbage yields nil, never a crash.
    static func orientation(inTIFF tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let u16: ([UInt8], Int) -> Int
        let u32: ([UInt8], Int) -> Int
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): (u16, u32) = (MediaBytes.uint16LE, MediaBytes.uint32LE)
        case (0x4D, 0x4D): (u16, u32) = (MediaBytes.uint16BE, MediaBytes.uint32BE)
        default: return nil
        }
        guard u16(tiff, 2) == 42 else { return nil }
        let ifd0 = u32(tiff, 4)
        guard ifd0 >= 8, ifd0 <= tiff.count - 2 else { return nil }
        let entryCount = u16(tiff, ifd0)
        // A directory that claims more entries than the buffer holds is garbage as a whole.
        guard ifd0 + 2 + entryCount * 12 <= tiff.count else { return nil }
        for index in 0..<entryCount {
            let entry = ifd0 + 2 + index * 12
            guard u16(tiff, entry) == orientationTag else { continue }
            let type = u16(tiff, entry + 2)
            guard u32(tiff, entry + 4) >= 1 else { return nil }
            let value: Int
            switch type {
            case 3: value = u16(tiff, entry + 8)  // SHORT, the type the standard prescribes
            case 4: value = u32(tiff, entry + 8)  // LONG, written by some lax encoders
            default: return nil
            }
            return (1...8).contains(value) ? value : nil
        }
        return nil
    }

    /// An APP1 segment holding a big-endian TIFF with a single IFD0 entry: Orientation.
    static func minimalOrientationSegment(_ orientation: Int) -> [UInt8] {
        let tiff: [UInt8] = [
            0x4D, 0x4D, 0x00, 0x2A,  // "MM", 42
            0x00, 0x00, 0x00, 0x08,  // IFD0 at offset 8
            0x00, 0x01,  // one entry
            0x01, 0x12, 0x00, 0x03,  // Orientation, SHORT
            0x00, 0x00, 0x00, 0x01,  // count 1
            UInt8(orientation >> 8 & 0xFF), UInt8(orientation & 0xFF), 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,  // no next IFD
        ]
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }
}
