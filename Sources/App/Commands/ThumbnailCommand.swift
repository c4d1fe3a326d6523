import AduanCore
import Foundation
import Vapor

/// `aduan thumbnail IN OUT`: the thumbnail an uploaded image would get (sanitised as an upload is, decoded, turned
/// upright, scaled to at most 240 px), written as PNG. Used by the decoder's oracle test against Pillow
/// (e2e/test_thumbnail_oracle.py) and by an operator checking why a file shows no thumbnail.
struct ThumbnailCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "input", help: "The image file (JPEG or PNG).") var input: String
        @Argument(name: "output", help: "Where the PNG thumbnail is written.") var output: String
    }

    var help: String { "Make the thumbnail an uploaded JPEG or PNG gets, as a PNG file." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: signature.input)))
        let sanitized: (type: MediaType, bytes: [UInt8])
        do { sanitized = try MediaInspector.sanitize(bytes) } catch { throw ThumbnailCommandError(message: error.message) }
        do {
            let raster = try Thumbnail.make(from: sanitized.bytes, type: sanitized.type, inflate: Zlib.inflate)
            try Data(try ThumbnailStore.encodePNG(raster)).write(to: URL(fileURLWithPath: signature.output))
            context.console.print("\(raster.width)x\(raster.height)")
        } catch let error as ImageDecodeError {
            throw ThumbnailCommandError(message: "no thumbnail: \(error)")
        }
    }
}

struct ThumbnailCommandError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
