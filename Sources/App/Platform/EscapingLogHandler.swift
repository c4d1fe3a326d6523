import AduanCore
import Foundation
import Logging
import Vapor

/// Wraps the text log handler so control characters in messages and metadata are written escaped
/// (`TextHygiene.escapedForLog`): a request path with `%0A`, a name or a title with a line break can never start a
/// line that looks like the log's own. (The JSON format escapes them by itself.)
public struct EscapingLogHandler: LogHandler {
    var base: any LogHandler

    public init(_ base: any LogHandler) { self.base = base }

    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue.mapValues(Self.escape) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: TextHygiene.escapedForLog(key)] = newValue.map(Self.escape) }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                    function: String, line: UInt) {
        let escaped = metadata.map { Dictionary(uniqueKeysWithValues: $0.map { (TextHygiene.escapedForLog($0.key), Self.escape($0.value)) }) }
        base.log(level: level, message: Logger.Message(stringLiteral: TextHygiene.escapedForLog(message.description)), metadata: escaped,
                 source: source, file: file, function: function, line: line)
    }

    static func escape(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): return .string(TextHygiene.escapedForLog(text))
        case .stringConvertible(let convertible): return .string(TextHygiene.escapedForLog(convertible.description))
        case .array(let values): return .array(values.map(escape))
        case .dictionary(let values):
            return .dictionary(Dictionary(uniqueKeysWithValues: values.map { (TextHygiene.escapedForLog($0.key), escape($0.value)) }))
        }
    }
}

/// The process's logging: one JSON object per line with `ADUAN_LOG_FORMAT=json`, otherwise Vapor's console format
/// with control characters escaped. `LOG_LEVEL` (or `--log`) sets the level.
public func bootstrapLogging(_ environment: inout Environment) throws {
    if ProcessInfo.processInfo.environment["ADUAN_LOG_FORMAT"] == "json" {
        let level = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    } else {
        try LoggingSystem.bootstrap(from: &environment) { level in
            let console = Terminal()
            return { label in EscapingLogHandler(ConsoleLogger(label: label, console: console, level: level)) }
        }
    }
}
