import AduanCore
import Fluent
import Foundation
import Vapor

/// The gauges of /metrics that are read from the database. Each worker sweep sets them; an instance that runs no
/// worker (`ADUAN_WORKER=0`, the scaled-out layout of docs/operations.md) sets them on each scrape, or they would stay
/// at zero there.
enum Gauges {
    static func refresh(_ app: Application, now: Date) async throws {
        app.metrics.outboxPending.set(Double(try await OutboxMessage.query(on: app.db).filter(\.$status == "pending").count()))
        app.metrics.outboxDead.set(Double(try await OutboxMessage.query(on: app.db).filter(\.$status == "dead").count()))
        app.metrics.overdue.set(Double(try await Complaint.query(on: app.db).filter(\.$officerDue < now).count()))
        app.metrics.openComplaints.set(Double(try await Complaint.query(on: app.db)
            .filter(\.$state ~~ ComplaintState.allCases.filter(\.isOpen).map(\.rawValue)).count()))
    }
}
