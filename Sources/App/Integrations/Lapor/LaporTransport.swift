import AduanCore
import Fluent
import Foundation
import Vapor

/// Sends the outbox messages of the SP4N-LAPOR! bridge (kinds `lapor_forward`, `lapor_answer`). The worker hands
/// them over like any notification, so they are written in the transaction of the event that calls for them,
/// claimed by one worker at a time, retried with backoff and kept as dead letters when they keep failing. The
/// outbox idempotency key is the call's `Idempotency-Key`: a redelivery repeats it, and LAPOR answers it with the
/// first answer.
struct LaporTransport: MessageTransport {
    let app: Application

    static let kinds: Set<String> = [National.forwardKind, National.answerKind]

    struct Payload: Decodable {
        var tracking_id: String
        var seq: String?
    }

    /// Returns LAPOR's number for a forward (kept on the outbox row). LAPOR refusing the request itself (a 4xx
    /// other than 408 and 429: a bad token, an unknown number, a body it will never accept) dead-letters the message
    /// at once, as the SMS gateway does; everything else is retried with backoff.
    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        do {
            return try await send(message)
        } catch LaporBridgeError.rejected(let status, let body) where (400..<500).contains(status) && status != 408 && status != 429 {
            throw DeliveryError.permanent(LaporBridgeError.rejected(status: status, body: body).description)
        } catch let refused as OutboundPolicy.Refused {
            // ADUAN_LAPOR_URL names an address outbound requests may not reach: retrying cannot help.
            throw DeliveryError.permanent(refused.description)
        }
    }

    func send(_ message: OutboxSnapshot) async throws -> String? {
        guard let bridge = app.laporBridge else { throw LaporBridgeError.notConfigured }
        let payload = try JSONDecoder().decode(Payload.self, from: Data(message.payload.utf8))
        guard let complaint = try await Complaint.byTrackingID(payload.tracking_id, on: app.db) else {
            throw DeliveryError.permanent("no complaint \(payload.tracking_id) for outbox message \(message.idempotencyKey)")
        }
        switch message.kind {
        case National.forwardKind:
            return try await forward(complaint, through: bridge, key: message.idempotencyKey)
        case National.answerKind:
            guard let seq = payload.seq.flatMap(Int.init) else { throw DeliveryError.permanent("outbox message \(message.idempotencyKey) has no event seq") }
            try await pushAnswer(complaint, seq: seq, through: bridge, key: message.idempotencyKey)
            return nil
        default:
            throw DeliveryError.permanent("the SP4N-LAPOR! bridge does not send \(message.kind)")
        }
    }

    func forward(_ complaint: Complaint, through bridge: any LaporBridge, key: String) async throws -> String? {
        // Recorded already: the worker stopped after recording and before marking the message sent.
        if let recorded = complaint.externalRef { return recorded }
        let reference = try await app.reference.get(on: app.db)
        let forwardEvent = try await Event.query(on: app.db).filter(\.$complaintID == complaint.requireID())
            .filter(\.$action == Action.forward_external.rawValue).sort(\.$seq, .descending).first()
        let identity: ReporterIdentity? = complaint.anonymous ? nil : try complaint.reporterSealed.map {
            try JSONDecoder().decode(ReporterIdentity.self, from: app.secrets.open($0))
        }
        let outgoing = LaporOutgoingComplaint(
            source_id: complaint.trackingID,
            source_url: app.settings.baseURL + SiteURL.publicComplaint(complaint.trackingID).path,
            type: complaint.type, title: complaint.title, body: complaint.body, category: complaint.categoryCode.map { code in
                reference.categories[code]?.name ?? code
            },
            incident_date: complaint.incidentDate, jurisdiction: complaint.jurisdictionCode,
            jurisdiction_name: reference.tree.jurisdictions[complaint.jurisdictionCode]?.name,
            address: complaint.address, lat: complaint.lat, lng: complaint.lng, submitted_at: complaint.submittedAt,
            forwarded_at: forwardEvent?.at ?? complaint.closedAt ?? app.clock.now,
            anonymous: complaint.anonymous, confidential: complaint.confidential, note: forwardEvent?.publicText,
            // The NIK stays here: LAPOR needs a way to reach the reporter, not their identity number.
            reporter: identity.map { .init(name: $0.name, email: $0.email, phone: $0.phone) })
        let receipt = try await bridge.forward(outgoing, idempotencyKey: key)
        try await LaporRecorder.record(complaint.trackingID, reference: receipt.tracking_id, status: receipt.status, statusAt: nil,
                                       note: "SP4N-LAPOR! menerima laporan ini dengan nomor tiket \(receipt.tracking_id).", app: app)
        return receipt.tracking_id
    }

    func pushAnswer(_ complaint: Complaint, seq: Int, through bridge: any LaporBridge, key: String) async throws {
        guard let nationalID = complaint.laporID else { return }
        guard let event = try await Event.query(on: app.db).filter(\.$complaintID == complaint.requireID()).filter(\.$seq == seq).first(),
              let text = event.publicText else {
            throw DeliveryError.permanent("complaint \(complaint.trackingID) has no answer at event \(seq)")
        }
        let reference = try await app.reference.get(on: app.db)
        let answer = LaporAnswer(kind: event.action == Action.respond_final.rawValue ? "final_answer" : "follow_up", text: text,
                                 at: event.at, agency: event.unitID.flatMap { reference.tree.units[$0]?.name } ?? event.unitID,
                                 source_id: complaint.trackingID, source_seq: seq)
        try await bridge.pushAnswer(answer, to: nationalID, idempotencyKey: key)
    }
}

/// Records what LAPOR said as an `external_update` event through the lifecycle (hash chain, projection).
enum LaporRecorder {
    /// Returns false when it was nothing new (a repeated answer, another worker recorded it first).
    @discardableResult
    static func record(_ trackingID: String, reference: String?, status: String?, statusAt: Date?, note: String,
                       app: Application) async throws -> Bool {
        do {
            _ = try await ComplaintStore.perform(.externalUpdate(reference: reference, status: status, statusAt: statusAt),
                                                 actor: .system, actorID: nil, trackingID: trackingID,
                                                 texts: Texts(internal: String(note.prefix(Texts.maxLength))), app: app)
            return true
        } catch LifecycleError.illegalTransition {
            return false
        }
    }
}

/// Sends the bridge's kinds to SP4N-LAPOR! and every other message to the notification transport.
struct OutboxRouter: MessageTransport {
    let notifications: any MessageTransport
    let bridge: any MessageTransport

    func deliver(_ message: OutboxSnapshot) async throws -> String? {
        if LaporTransport.kinds.contains(message.kind) {
            return try await bridge.deliver(message)
        }
        return try await notifications.deliver(message)
    }
}

extension MessageTransport {
    /// This transport for notifications, with the SP4N-LAPOR! bridge's messages routed to the bridge.
    func routingNationalBridge(_ app: Application) -> any MessageTransport {
        OutboxRouter(notifications: self, bridge: LaporTransport(app: app))
    }
}
