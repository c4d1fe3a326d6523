import CAduanZlib
import Foundation

/// One-shot zlib (RFC 1950) calls on the system library, for the PNG thumbnails: inflate an upload's image data and
/// deflate the thumbnail.
enum Zlib {
    struct Failure: Error {}

    /// Inflates into a buffer of exactly `size` bytes and never more (the caller checked `size` against its limits).
    /// A stream that holds more than `size` bytes is cut there, as libpng does with surplus image data.
    static func inflate(_ input: [UInt8], exactly size: Int) throws -> [UInt8] {
        guard size > 0 else { throw Failure() }
        var output = [UInt8](repeating: 0, count: size)
        var produced = uLong(size)
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                uncompress(out.baseAddress, &produced, inp.baseAddress, uLong(inp.count))
            }
        }
        guard status == Z_OK || status == Z_BUF_ERROR, Int(produced) == size else { throw Failure() }
        return output
    }

    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var size = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in compress2(out.baseAddress, &size, inp.baseAddress, uLong(inp.count), 6) }
        }
        guard status == Z_OK else { throw Failure() }
        return Array(output.prefix(Int(size)))
    }
}
