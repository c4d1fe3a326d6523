// qrtool: a small command line front end to the QRCode library, used by the conformance
// suite (qr-conformance/) and handy for looking at symbols by hand.
//
//   qrtool matrix [options] TEXT          rows of 0/1, one per line
//   qrtool info   [options] TEXT          JSON: version, level, mask, size, segments
//   qrtool svg|png [options] TEXT -o FILE
//   qrtool pdf [options] [--title T] [--subtitle S] [--instruction I]... URL -o FILE
//   qrtool batch                          JSON lines on stdin -> JSON lines on stdout
//   qrtool bench [--count N] [--level L] [--length N] [--payloads FILE]
//                                         encode N URLs (or N texts of the length), print the time;
//                                         with --payloads, encode each line of FILE instead
//                                         (bench/qr/run.sh, shared with the libqrencode harness)
//
// Options: --version N, --level L|M|Q|H, --mask N, --mode numeric|alphanumeric|byte,
//          --boost, --hex (TEXT is hex-encoded bytes), --scale N, --module-size N,
//          --quiet-zone N, -o FILE.

import Foundation
import QRCode

struct Options {
    var version: Int?
    var level: ErrorCorrection = .medium
    var mask: Int?
    var mode: Mode?
    var boost = false
    var hex = false
    var scale = 8
    var moduleSize = 8
    var quietZone = 4
    var output: String?
    var title = "Sampaikan Aduan Anda"
    var subtitle = ""
    var instructions: [String] = []
    var count = 10_000
    var length: Int?
    var payloads: String?
    var positional: [String] = []
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func parse(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var iterator = arguments.makeIterator()
    func value(_ flag: String) -> String {
        guard let value = iterator.next() else { fail("\(flag) needs a value") }
        return value
    }
    func integer(_ flag: String) -> Int {
        let text = value(flag)
        guard let number = Int(text) else { fail("\(flag) needs a whole number, not \(text)") }
        return number
    }
    while let argument = iterator.next() {
        switch argument {
        case "--version": options.version = integer(argument)
        case "--level":
            let text = value(argument)
            guard let level = ErrorCorrection(letter: text) else { fail("unknown level \(text)") }
            options.level = level
        case "--mask": options.mask = integer(argument)
        case "--mode":
            let text = value(argument)
            guard let mode = Mode(rawValue: text) else { fail("unknown mode \(text)") }
            options.mode = mode
        case "--boost": options.boost = true
        case "--hex": options.hex = true
        case "--scale": options.scale = integer(argument)
        case "--module-size": options.moduleSize = integer(argument)
        case "--quiet-zone": options.quietZone = integer(argument)
        case "-o", "--output": options.output = value(argument)
        case "--title": options.title = value(argument)
        case "--subtitle": options.subtitle = value(argument)
        case "--instruction": options.instructions.append(value(argument))
        case "--count": options.count = integer(argument)
        case "--length": options.length = integer(argument)
        case "--payloads": options.payloads = value(argument)
        case "--": while let rest = iterator.next() { options.positional.append(rest) }
        default: options.positional.append(argument)
        }
    }
    return options
}

func bytes(fromHex text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var result: [UInt8] = []
    result.reserveCapacity(digits.count / 2)
    var i = 0
    while i < digits.count {
        guard let byte = UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
        result.append(byte)
        i += 2
    }
    return result
}

func makeCode(
    text: String, hex: Bool, level: ErrorCorrection, version: Int?, mask: Int?, mode: Mode?, boost: Bool
) throws(QRCodeError) -> QRCode {
    if hex {
        guard let data = bytes(fromHex: text) else { fail("invalid hex payload") }
        return try QRCode(
            encoding: data, errorCorrection: level, version: version, mask: mask, mode: mode,
            boostErrorCorrection: boost)
    }
    return try QRCode(
        encoding: text, errorCorrection: level, version: version, mask: mask, mode: mode,
        boostErrorCorrection: boost)
}

func code(_ options: Options) -> QRCode {
    guard options.positional.count == 1 else { fail("give exactly one payload argument") }
    do {
        return try makeCode(
            text: options.positional[0], hex: options.hex, level: options.level,
            version: options.version, mask: options.mask, mode: options.mode, boost: options.boost)
    } catch {
        fail("error: \(error.message)")
    }
}

func matrixRows(_ code: QRCode) -> [String] {
    (0..<code.size).map { y in
        String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "1" : "0" })
    }
}

func summary(_ code: QRCode) -> [String: Any] {
    [
        "version": code.version,
        "level": code.errorCorrection.letter,
        "mask": code.mask,
        "size": code.size,
        "segments": code.segments.map { segment in
            [
                "mode": segment.mode.rawValue,
                "start": segment.range.lowerBound,
                "end": segment.range.upperBound,
            ] as [String: Any]
        },
    ]
}

func jsonLine(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

func write(_ bytes: [UInt8], to path: String?) {
    guard let path else {
        FileHandle.standardOutput.write(Data(bytes))
        return
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        fail("cannot write \(path)")
    }
}

/// One JSON object per input line:
/// {"text": "...", or "hex": "...", "level": "M", "version": 7, "mask": 3, "mode": "byte",
///  "boost": false} -> {"version", "level", "mask", "size", "segments", "matrix"} with the
/// matrix as one string of size*size 0/1 characters, or {"error": message, "kind": case}.
func batch() {
    var output = ""
    output.reserveCapacity(1 << 20)
    while let line = readLine(strippingNewline: true) {
        if line.isEmpty { continue }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            fail("batch: not a JSON object: \(line.prefix(80))")
        }
        let hex = object["hex"] as? String
        let text = hex ?? (object["text"] as? String ?? "")
        let level = (object["level"] as? String).flatMap(ErrorCorrection.init(letter:)) ?? .medium
        let mode = (object["mode"] as? String).flatMap(Mode.init(rawValue:))
        var result: [String: Any]
        do {
            let code = try makeCode(
                text: text, hex: hex != nil, level: level, version: object["version"] as? Int,
                mask: object["mask"] as? Int, mode: mode, boost: object["boost"] as? Bool ?? false)
            result = summary(code)
            var matrix = [UInt8]()
            matrix.reserveCapacity(code.size * code.size)
            for y in 0..<code.size {
                for x in 0..<code.size { matrix.append(code.isDark(x: x, y: y) ? 0x31 : 0x30) }
            }
            result["matrix"] = String(decoding: matrix, as: UTF8.self)
        } catch {
            let kind: String
            switch error {
            case .dataTooLong: kind = "dataTooLong"
            case .invalidVersion: kind = "invalidVersion"
            case .invalidMask: kind = "invalidMask"
            case .invalidMode: kind = "invalidMode"
            }
            result = ["error": error.message, "kind": kind]
        }
        output += jsonLine(result)
        output += "\n"
        if output.utf8.count > 1 << 20 {
            FileHandle.standardOutput.write(Data(output.utf8))
            output.removeAll(keepingCapacity: true)
        }
    }
    FileHandle.standardOutput.write(Data(output.utf8))
}

/// The lines of a payload file (one payload per line, `\n` separated, the last newline optional),
/// for `bench --payloads FILE`.
func payloadLines(_ path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    if lines.last == "" { lines.removeLast() }
    guard !lines.isEmpty else { fail("\(path) holds no payloads") }
    return lines
}

/// Encodes `count` distinct complaint-form URLs and prints the elapsed time.
/// With `--payloads FILE` the payloads are the lines of FILE (count = number of lines) and the
/// renderer timings are skipped.
func bench(_ options: Options) {
    if let path = options.payloads {
        benchEncode(payloadLines(path), options)
        return
    }
    let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789".utf8)
    var urls: [String] = []
    urls.reserveCapacity(options.count)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<options.count {
        var code = [UInt8]()
        for _ in 0..<8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            code.append(alphabet[Int(state >> 59)])
        }
        if let length = options.length {
            // Lower-case text of the given length (byte mode), for larger symbols.
            var text = [UInt8]()
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text.append(UInt8(ascii: "a") + UInt8(state >> 59) % 26)
            }
            urls.append(String(decoding: text, as: UTF8.self))
        } else {
            urls.append("https://aduan.kalselprov.go.id/q/" + String(decoding: code, as: UTF8.self))
        }
    }
    benchEncode(urls, options)
    // Renderings of one symbol, 1,000 times each.
    guard options.length == nil else { return }
    let clock = ContinuousClock()
    var bytes = 0
    let sample = try! QRCode(encoding: urls[0], errorCorrection: options.level)
    let renderers: [(String, () -> Int)] = [
        ("svg", { sample.svg().utf8.count }),
        ("png", { sample.png().count }),
        ("pdf", { try! QRPoster(title: "Dinas Kesehatan", url: urls[0]).pdf().count }),
    ]
    for (name, render) in renderers {
        let time = seconds(clock.measure { for _ in 0..<1000 { bytes &+= render() } })
        print(String(format: "%@: %.1f µs each (%d bytes)", name, time * 1000, render()))
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Encodes every payload once (automatic version, segmentation and mask) and prints one line:
/// `encoded N payloads at level L in T s (U µs each, checksum C)`, C = Σ (mask + version).
func benchEncode(_ urls: [String], _ options: Options) {
    let clock = ContinuousClock()
    var checksum = 0
    let elapsed = clock.measure {
        for url in urls {
            let code = try! QRCode(encoding: url, errorCorrection: options.level)
            checksum &+= code.mask &+ code.version
        }
    }
    let total = seconds(elapsed)
    print(String(
        format: "encoded %d payloads at level %@ in %.3f s (%.1f µs each, checksum %d)",
        urls.count, options.level.letter, total, total / Double(urls.count) * 1e6, checksum))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    fail("usage: qrtool matrix|info|svg|png|pdf|batch|bench [options] TEXT")
}
let options = parse(arguments.dropFirst(2))
switch arguments[1] {
case "matrix":
    print(matrixRows(code(options)).joined(separator: "\n"))
case "info":
    print(jsonLine(summary(code(options))))
case "batch":
    batch()
case "bench":
    bench(options)
case "svg":
    let code = code(options)
    write(Array(code.svg(moduleSize: options.moduleSize, quietZone: options.quietZone).utf8), to: options.output)
case "png":
    write(code(options).png(scale: options.scale, quietZone: options.quietZone), to: options.output)
case "pdf":
    guard options.positional.count == 1 else { fail("give exactly one URL argument") }
    do {
        let poster = try QRPoster(
            title: options.title, subtitle: options.subtitle, instructions: options.instructions,
            url: options.positional[0], errorCorrection: options.level)
        write(poster.pdf(), to: options.output)
    } catch {
        fail("error: \(error.message)")
    }
default:
    fail("unknown command \(arguments[1])")
}
