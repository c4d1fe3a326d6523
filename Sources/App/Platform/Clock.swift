import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The source of "now". Tests pin it; times are whole milliseconds so both databases store them exactly.
final class AppClock: Sendable {
    private let fixed: NIOLockedValueBox<Date?>

    init(fixed: Date? = nil) { self.fixed = NIOLockedValueBox(fixed) }

    var now: Date {
        let date = fixed.withLockedValue { $0 } ?? Date()
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Pins the clock (tests, simulations).
    func set(_ date: Date?) { fixed.withLockedValue { $0 = date } }
    func advance(by seconds: TimeInterval) { fixed.withLockedValue { $0 = ($0 ?? Date()).addingTimeInterval(seconds) } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }
    var clock: AppClock {
        get { storage[ClockKey.self] ?? { let c = AppClock(); storage[ClockKey.self] = c; return c }() }
        set { storage[ClockKey.self] = newValue }
    }
}
