import CAduanZlib
import Foundation

/// Writes a ZIP archive front to back without seeking, so it can go straight into an HTTP response: each entry's
/// local header leaves CRC and sizes open (flag bit 3) and a data descriptor after the DEFLATE data gives them;
/// the central directory at the end has everything, with ZIP64 records when a size or offset needs them. The
/// caller drains `output` after every call. Written by hand: ZIPFoundation writes to a seekable file or memory.
final class ZipStreamWriter {
    private struct Record {
        var name: [UInt8]
        var offset: UInt64
        var crc: UInt32 = 0
        var compressed: UInt64 = 0
        var uncompressed: UInt64 = 0
    }

    /// Bytes written since the last drain.
    private(set) var output: [UInt8] = []
    private var records: [Record] = []
    private var offset: UInt64 = 0
    private var current: Record?
    private var stream: UnsafeMutablePointer<z_stream>?
    private let level: Int32
    private let dosTime: UInt16
    private let dosDate: UInt16

    enum Failure: Error, CustomStringConvertible {
        case zlib(Int32)
        case state(String)
        var description: String {
            switch self {
            case .zlib(let code): return "zlib error \(code)"
            case .state(let why): return why
            }
        }
    }

    init(level: Int32 = 6, modified: Date = Date()) {
        self.level = level
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        dosTime = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        dosDate = UInt16(max(0, (c.year ?? 1980) - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
    }

    deinit {
        if let stream { deflateEnd(stream); stream.deallocate() }
    }

    /// Takes the bytes written so far.
    func drain() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    var pendingBytes: Int { output.count }

    func beginEntry(_ path: String) throws {
        guard current == nil else { throw Failure.state("an entry is open") }
        let name = Array(path.utf8)
        current = Record(name: name, offset: offset)
        put32(0x0403_4B50)
        // Version 2.0: readers such as ZIPFoundation read a 4.5 entry's data descriptor with 8-byte sizes. An entry
        // that outgrows 4 GiB gets 8-byte sizes there and says 4.5 in the central directory, which readers go by.
        put16(20)
        put16(0x0808)           // bit 3: sizes in the data descriptor; bit 11: UTF-8 names
        put16(8)                // DEFLATE
        put16(dosTime); put16(dosDate)
        put32(0); put32(0); put32(0)
        put16(UInt16(name.count)); put16(0)
        output += name
        offset += 30 + UInt64(name.count)

        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        // Raw DEFLATE (negative window bits): ZIP has its own header and CRC.
        let status = deflateInit2_(z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { z.deallocate(); throw Failure.zlib(status) }
        stream = z
    }

    func write(_ bytes: [UInt8]) throws {
        guard current != nil else { throw Failure.state("no entry is open") }
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            current!.crc = UInt32(crc32(UInt(current!.crc), buffer.baseAddress, UInt32(buffer.count)))
        }
        current!.uncompressed += UInt64(bytes.count)
        try deflate(bytes, flush: Z_NO_FLUSH)
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    func endEntry() throws {
        guard current != nil, let z = stream else { throw Failure.state("no entry is open") }
        try deflate([], flush: Z_FINISH)
        deflateEnd(z); z.deallocate(); stream = nil
        let record = current!
        put32(0x0807_4B50)
        put32(record.crc)
        if record.compressed > 0xFFFF_FFFE || record.uncompressed > 0xFFFF_FFFE {
            put64(record.compressed); put64(record.uncompressed); offset += 24
        } else {
            put32(UInt32(record.compressed)); put32(UInt32(record.uncompressed)); offset += 16
        }
        records.append(record)
        current = nil
    }

    /// Writes a whole small entry.
    func addEntry(_ path: String, _ text: String) throws {
        try beginEntry(path); try write(text); try endEntry()
    }

    /// The central directory and end records.
    func finish() throws {
        guard current == nil else { throw Failure.state("an entry is open") }
        let start = offset
        for r in records {
            var extra: [UInt8] = []
            func extra64(_ v: UInt64) { for i in 0..<8 { extra.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
            let bigU = r.uncompressed > 0xFFFF_FFFE, bigC = r.compressed > 0xFFFF_FFFE, bigO = r.offset > 0xFFFF_FFFE
            if bigU { extra64(r.uncompressed) }
            if bigC { extra64(r.compressed) }
            if bigO { extra64(r.offset) }
            if !extra.isEmpty { extra = [0x01, 0x00, UInt8(extra.count), 0x00] + extra }
            put32(0x0201_4B50)
            put16(0x0314)       // made by: UNIX, 2.0
            put16(extra.isEmpty ? 20 : 45)
            put16(0x0808); put16(8); put16(dosTime); put16(dosDate)
            put32(r.crc)
            put32(bigC ? 0xFFFF_FFFF : UInt32(r.compressed))
            put32(bigU ? 0xFFFF_FFFF : UInt32(r.uncompressed))
            put16(UInt16(r.name.count)); put16(UInt16(extra.count)); put16(0)
            put16(0); put16(0)
            put32(0o100644 << 16)
            put32(bigO ? 0xFFFF_FFFF : UInt32(r.offset))
            output += r.name
            output += extra
            offset += 46 + UInt64(r.name.count + extra.count)
        }
        let size = offset - start
        if start > 0xFFFF_FFFE || size > 0xFFFF_FFFE || records.count > 0xFFFE {
            let zip64End = offset
            put32(0x0606_4B50); put64(44); put16(0x0314); put16(45); put32(0); put32(0)
            put64(UInt64(records.count)); put64(UInt64(records.count)); put64(size); put64(start)
            put32(0x0706_4B50); put32(0); put64(zip64End); put32(1)
            offset += 56 + 20
            put32(0x0605_4B50); put16(0); put16(0); put16(0xFFFF); put16(0xFFFF); put32(0xFFFF_FFFF); put32(0xFFFF_FFFF); put16(0)
        } else {
            put32(0x0605_4B50); put16(0); put16(0); put16(UInt16(records.count)); put16(UInt16(records.count))
            put32(UInt32(size)); put32(UInt32(start)); put16(0)
        }
        offset += 22
    }

    private func deflate(_ input: [UInt8], flush: Int32) throws {
        guard let z = stream else { throw Failure.state("no entry is open") }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        try input.withUnsafeBufferPointer { inBuffer in
            z.pointee.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            z.pointee.avail_in = UInt32(inBuffer.count)
            defer { z.pointee.next_in = nil }
            while true {
                let (status, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { out in
                    z.pointee.next_out = out.baseAddress
                    z.pointee.avail_out = UInt32(out.count)
                    let status = CAduanZlib.deflate(z, flush)
                    return (status, out.count - Int(z.pointee.avail_out))
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { throw Failure.zlib(status) }
                if produced > 0 {
                    output.append(contentsOf: chunk[0..<produced])
                    current!.compressed += UInt64(produced)
                    offset += UInt64(produced)
                }
                if flush == Z_FINISH {
                    if status == Z_STREAM_END { break }
                } else if z.pointee.avail_in == 0 && produced < chunk.count {
                    break
                }
            }
        }
    }

    private func put16(_ v: UInt16) { output.append(UInt8(v & 0xFF)); output.append(UInt8(v >> 8)) }
    private func put32(_ v: UInt32) { for i in 0..<4 { output.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    private func put64(_ v: UInt64) { for i in 0..<8 { output.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
}
