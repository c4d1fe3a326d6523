import Foundation

/// The stored form of a `TriageModel`: a versioned little-endian binary layout, compact (only the buckets a class was
/// seen with are written) and byte-for-byte the same for the same training input, so the shell can keep one model in
/// the database for every instance.
extension TriageModel {
    static let magic: [UInt8] = Array("ADTRIAGE".utf8)
    static let formatVersion: UInt16 = 1

    public enum DecodingError: Error, Equatable, CustomStringConvertible {
        case notATriageModel, unsupportedVersion(UInt16), truncated, corrupt(String)
        public var description: String {
            switch self {
            case .notATriageModel: return "not a triage model"
            case .unsupportedVersion(let v): return "triage model format \(v) is not supported"
            case .truncated: return "triage model is truncated"
            case .corrupt(let what): return "triage model is corrupt: \(what)"
            }
        }
    }

    public func encoded() -> Data {
        var w = BinaryWriter()
        w.bytes(Self.magic)
        w.u16(Self.formatVersion)
        let c = configuration
        w.u8(c.stem ? 1 : 0); w.u8(c.dropStopWords ? 1 : 0); w.u8(c.wordBigrams ? 1 : 0); w.u8(UInt8(c.charGramLength))
        w.u8(c.weighting.rawValue); w.u8(c.knowledge ? 1 : 0); w.u8(UInt8(c.bucketBits)); w.f64(c.alpha); w.f64(c.clearLeadProbability)
        w.f64(trainedAt.timeIntervalSince1970)
        w.u32(UInt32(examples)); w.u32(UInt32(unitExamples)); w.u32(UInt32(categoryExamples))
        w.f64(newestExample?.timeIntervalSince1970 ?? .nan)
        w.u32(UInt32(phrases.count))
        for p in phrases { w.string(p.text); w.string(p.display); w.u8(p.kind.rawValue); w.i32(p.target) }
        w.u32(UInt32(categoryDefaultUnit.count))
        for u in categoryDefaultUnit { w.i32(u) }
        for head in [unitHead, categoryHead] {
            w.u32(UInt32(head.classes.count))
            for (name, n) in zip(head.classes, head.classExamples) { w.string(name); w.i32(n) }
            w.u32(UInt32(head.stacking.count))
            for t in head.stacking { w.f64(t) }
            let used = (0..<head.bucketCount).filter { head.postingStart[$0 + 1] > head.postingStart[$0] }
            w.u32(UInt32(used.count))
            for b in used {
                let range = Int(head.postingStart[b])..<Int(head.postingStart[b + 1])
                w.u32(UInt32(b)); w.u16(UInt16(range.count))
                for p in range {
                    w.u16(head.postingClass[p]); w.f32(head.postingCount[p])
                    if c.weighting != .binary { w.f32(head.postingDocs[p]) }
                }
            }
        }
        return Data(w.data)
    }

    public init(encoded data: Data) throws {
        var r = BinaryReader(Array(data))
        guard try r.bytes(Self.magic.count) == Self.magic else { throw DecodingError.notATriageModel }
        let version = try r.u16()
        guard version == Self.formatVersion else { throw DecodingError.unsupportedVersion(version) }
        var c = TriageConfiguration()
        c.stem = try r.u8() != 0; c.dropStopWords = try r.u8() != 0; c.wordBigrams = try r.u8() != 0
        c.charGramLength = Int(try r.u8()); guard let weighting = TriageConfiguration.Weighting(rawValue: try r.u8()) else { throw DecodingError.corrupt("weighting") }
        c.weighting = weighting; c.knowledge = try r.u8() != 0
        c.bucketBits = Int(try r.u8()); c.alpha = try r.f64(); c.clearLeadProbability = try r.f64()
        guard (8...24).contains(c.bucketBits), c.charGramLength <= 8, c.alpha > 0 else { throw DecodingError.corrupt("configuration") }
        let trainedAt = Date(timeIntervalSince1970: try r.f64())
        let examples = Int(try r.u32()), unitExamples = Int(try r.u32()), categoryExamples = Int(try r.u32())
        let newest = try r.f64()
        let phraseCount = Int(try r.u32())
        var phrases: [KnowledgePhrase] = []
        for i in 0..<phraseCount {
            let text = try r.string(), display = try r.string()
            guard let kind = KnowledgePhrase.Kind(rawValue: try r.u8()) else { throw DecodingError.corrupt("phrase kind") }
            phrases.append(KnowledgePhrase(text: text, display: display, kind: kind, target: try r.i32(), value: Int32(i)))
        }
        let defaults = try (0..<Int(try r.u32())).map { _ in try r.i32() }
        var heads: [NaiveBayesHead] = []
        let buckets = 1 << c.bucketBits
        for _ in 0..<2 {
            let classCount = Int(try r.u32())
            guard classCount <= Int(UInt16.max) else { throw DecodingError.corrupt("classes") }
            var classes: [String] = [], classExamples: [Int32] = []
            for _ in 0..<classCount { classes.append(try r.string()); classExamples.append(try r.i32()) }
            let stacking = try (0..<Int(try r.u32())).map { _ in try r.f64() }
            guard stacking.count == 6 || stacking.count == 3 else { throw DecodingError.corrupt("weights") }
            var start = [UInt32](repeating: 0, count: buckets + 1)
            var postingClass: [UInt16] = [], postingCount: [Float] = [], postingDocs: [Float] = []
            var previous = -1
            for _ in 0..<Int(try r.u32()) {
                let b = Int(try r.u32())
                guard b > previous, b < buckets else { throw DecodingError.corrupt("bucket order") }
                for fill in (previous + 1)...b { start[fill] = UInt32(postingClass.count) }
                for _ in 0..<Int(try r.u16()) {
                    let cls = try r.u16()
                    guard Int(cls) < classCount else { throw DecodingError.corrupt("posting class") }
                    postingClass.append(cls); postingCount.append(try r.f32())
                    if c.weighting != .binary { postingDocs.append(try r.f32()) }
                }
                previous = b
            }
            for fill in (previous + 1)...buckets { start[fill] = UInt32(postingClass.count) }
            heads.append(NaiveBayesHead(classes: classes, classExamples: classExamples, alpha: c.alpha, stacking: stacking,
                                        bucketCount: buckets, postingStart: start, postingClass: postingClass, postingCount: postingCount,
                                        postingDocs: c.weighting == .binary ? postingCount : postingDocs))
        }
        guard r.atEnd else { throw DecodingError.corrupt("trailing bytes") }
        guard heads[0].stacking.count == 6, heads[1].stacking.count == 3, defaults.count == heads[1].classes.count,
              phrases.allSatisfy({ $0.target >= 0 && Int($0.target) < ($0.kind == .categoryName ? heads[1] : heads[0]).classes.count }),
              defaults.allSatisfy({ $0 < Int32(heads[0].classes.count) })
        else { throw DecodingError.corrupt("indexes") }
        self.init(configuration: c, trainedAt: trainedAt, examples: examples, unitExamples: unitExamples,
                  categoryExamples: categoryExamples, newestExample: newest.isNaN ? nil : Date(timeIntervalSince1970: newest),
                  phrases: phrases, categoryDefaultUnit: defaults, unitHead: heads[0], categoryHead: heads[1])
    }
}

struct BinaryWriter {
    var data: [UInt8] = []
    mutating func bytes(_ b: [UInt8]) { data.append(contentsOf: b) }
    mutating func u8(_ v: UInt8) { data.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    mutating func string(_ s: String) { let b = Array(s.utf8); u32(UInt32(b.count)); bytes(b) }
}

struct BinaryReader {
    let data: [UInt8]
    var offset = 0
    init(_ data: [UInt8]) { self.data = data }
    var atEnd: Bool { offset == data.count }
    mutating func bytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0, data.count - offset >= n else { throw TriageModel.DecodingError.truncated }
        defer { offset += n }
        return Array(data[offset..<(offset + n)])
    }
    mutating func u8() throws -> UInt8 { try bytes(1)[0] }
    mutating func u16() throws -> UInt16 { let b = try bytes(2); return UInt16(b[0]) | UInt16(b[1]) << 8 }
    mutating func u32() throws -> UInt32 { let b = try bytes(4); return b.reversed().reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
    mutating func f32() throws -> Float { Float(bitPattern: try u32()) }
    mutating func f64() throws -> Double {
        let b = try bytes(8)
        return Double(bitPattern: b.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
    mutating func string() throws -> String {
        let n = Int(try u32())
        guard let s = String(bytes: try bytes(n), encoding: .utf8) else { throw TriageModel.DecodingError.corrupt("text") }
        return s
    }
}
