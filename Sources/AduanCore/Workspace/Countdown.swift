import Foundation

/// How pressing a deadline is, counted in the jurisdiction's working days (SPEC §5): what the officer queues sort
/// by and show as "3 HK left", "due today" or "2 HK overdue".
public struct Countdown: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case onTrack = "on_track"
        /// At most `soon` working days left (default 1: the "due soon" of SPEC §7).
        case dueSoon = "due_soon"
        case overdue
    }

    public var status: Status
    /// Working days left until the due day (0: due today), or, when overdue, working days since the due day.
    public var workingDays: Int

    public init(status: Status, workingDays: Int) {
        self.status = status; self.workingDays = workingDays
    }

    public init(due: Date, now: Date, calendar: WorkingCalendar, soon: Int = 1) {
        let today = calendar.localDate(of: now)
        let dueDay = calendar.localDate(of: due)
        if now > due {
            self.init(status: .overdue, workingDays: calendar.workingDaysBetween(dueDay, today))
        } else {
            let left = calendar.workingDaysBetween(today, dueDay)
            self.init(status: left <= soon ? .dueSoon : .onTrack, workingDays: left)
        }
    }

    /// Most urgent first: the longest overdue, then the least time left.
    public var urgency: Int {
        switch status {
        case .overdue: return -1_000 - workingDays
        case .dueSoon, .onTrack: return workingDays
        }
    }
}

/// What a queue names as an officer's next step on a complaint, from the actions AduanCore lets them take now.
public enum NextStep {
    /// The actions that move a complaint on, in the order a queue names them.
    public static let workActions: [Action] = [.verify, .redispose, .decide_extension, .follow_up, .respond_final]

    public static func of(_ record: ComplaintRecord, available: Set<Action>) -> Action? {
        // A returned complaint is redispositioned, not verified again.
        if record.state == .baru && record.dispositionCount > 0 && available.contains(.redispose) { return .redispose }
        if record.state == .diproses && available.contains(.respond_final) { return .respond_final }
        return workActions.first { available.contains($0) && $0 != .redispose }
    }
}
