import Foundation
import Testing
@testable import AduanCore

// SP4N-LAPOR! in the lifecycle: forwarding through the bridge, what LAPOR reports back, and imported complaints.

private typealias F = Fixture
private typealias Clock = Fixture.Clock

@Suite("SP4N-LAPOR! in the lifecycle")
struct NationalTests {
    func context(bridge: Bool, at now: Date = Clock.later) -> DecisionContext {
        var c = F.context(at: now)
        c.nationalBridge = bridge
        return c
    }

    @Test("only the national names mean LAPOR; other destinations stay free text")
    func destinations() {
        for name in ["lapor", "LAPOR", " SP4N-LAPOR! ", "sp4n lapor"] { #expect(National.isDestination(name), "\(name)") }
        for name in ["Ombudsman RI", "Kementerian Dalam Negeri (SP4N-LAPOR! nasional)", "lapor polisi"] { #expect(!National.isDestination(name), "\(name)") }
    }

    @Test("LAPOR's statuses: open ones are imported as baru, finished ones finished; unknown labels are refused")
    func statuses() {
        #expect(National.status(of: "Belum Terverifikasi") == .init(equivalent: .baru, imported: .baru))
        #expect(National.status(of: "dalam  proses") == .init(equivalent: .diproses, imported: .baru))
        #expect(National.status(of: "TERVERIFIKASI") == .init(equivalent: .didisposisikan, imported: .baru))
        #expect(National.status(of: "Selesai")?.imported == .selesai)
        #expect(National.status(of: "Selesai")?.isFinal == true)
        #expect(National.status(of: "Diarsipkan")?.imported == .diarsipkan)
        #expect(National.status(of: "Dalam Proses")?.isFinal == false)
        #expect(National.status(of: "Sedang dipikirkan") == nil)
    }

    @Test("a forward to lapor without a number is a bridge call in the outbox when the bridge is on, and refused when it is off")
    func forwardRules() throws {
        let record = try F.record(in: .baru)
        let coordinator = F.coordinator(of: record)
        let on = try Lifecycle.decide(.forwardExternal(destination: "SP4N-LAPOR!", reference: nil), by: coordinator, on: record,
                                      context: context(bridge: true))
        #expect(on.record.state == .diteruskan)
        #expect(on.record.externalDestination == "lapor")
        #expect(on.record.externalRef == nil)
        #expect(on.notices.contains(Notice(.externalSystem("lapor"), "lapor_forward")))

        #expect(F.refusal { try Lifecycle.decide(.forwardExternal(destination: "lapor", reference: nil), by: coordinator, on: record,
                                                 context: context(bridge: false)) } == .invalid("external_ref"))

        // LAPOR's number given by hand: recorded, nothing to send, bridge or not.
        for bridge in [true, false] {
            let manual = try Lifecycle.decide(.forwardExternal(destination: "lapor", reference: "4471234"), by: coordinator, on: record,
                                              context: context(bridge: bridge))
            #expect(manual.record.externalRef == "4471234")
            #expect(!manual.notices.contains { $0.audience == .externalSystem("lapor") })
        }
        // Another agency is never a bridge call.
        let other = try Lifecycle.decide(.forwardExternal(destination: "Ombudsman RI", reference: nil), by: coordinator, on: record,
                                         context: context(bridge: true))
        #expect(other.notices.allSatisfy { $0.audience == .reporter })
    }

    @Test("what LAPOR reports is recorded once: the number, then each new status; the same report again is refused")
    func externalUpdates() throws {
        let record = try F.record(in: .baru)
        let forwarded = try Lifecycle.decide(.forwardExternal(destination: "lapor", reference: nil), by: F.coordinator(of: record),
                                             on: record, context: context(bridge: true)).record
        let numbered = try Lifecycle.decide(.externalUpdate(reference: "4471234", status: "Belum Terverifikasi", statusAt: nil), by: .system,
                                            on: forwarded, texts: Texts(internal: "SP4N-LAPOR! menerima laporan ini."), context: context(bridge: true))
        #expect(numbered.record.externalRef == "4471234")
        #expect(numbered.record.state == .diteruskan)
        #expect(numbered.events.count == 1)
        #expect(numbered.events[0].action == .external_update && !numbered.events[0].isPublic)
        #expect(numbered.events[0].data == ["external_ref": "4471234", "external_status": "Belum Terverifikasi"])
        #expect(numbered.notices.isEmpty)

        let again = F.refusal { try Lifecycle.decide(.externalUpdate(reference: "4471234", status: "Belum Terverifikasi", statusAt: nil),
                                                     by: .system, on: numbered.record, context: context(bridge: true)) }
        #expect(again == .illegal(.external_update, .diteruskan))
        #expect(F.refusal { try Lifecycle.decide(.externalUpdate(reference: "999", status: nil, statusAt: nil),
                                                 by: .system, on: numbered.record, context: context(bridge: true)) } == .invalid("external_ref"))

        let at = Clock.later
        let progressed = try Lifecycle.decide(.externalUpdate(reference: nil, status: "Dalam Proses", statusAt: at), by: .system,
                                              on: numbered.record, context: context(bridge: true))
        #expect(progressed.record.externalStatus == "Dalam Proses")
        #expect(progressed.record.externalStatusAt == at)
        // The same status with a newer time (a new answer in LAPOR) is news too.
        let answered = try Lifecycle.decide(.externalUpdate(reference: nil, status: "Dalam Proses", statusAt: at.addingTimeInterval(60)),
                                            by: .system, on: progressed.record, context: context(bridge: true))
        #expect(answered.events.count == 1)
        // Officers do not speak for LAPOR, and complaints that were not forwarded have nothing to hear.
        #expect(F.refusal { try Lifecycle.decide(.externalUpdate(reference: nil, status: "Selesai", statusAt: nil),
                                                 by: F.coordinator(of: record), on: numbered.record, context: context(bridge: true)) } == .forbidden)
        #expect(F.refusal { try Lifecycle.decide(.externalUpdate(reference: nil, status: "Selesai", statusAt: nil),
                                                 by: .system, on: try F.record(in: .selesai), context: context(bridge: true)) } == .illegal(.external_update, .selesai))
    }

    @Test("answers on an imported complaint go back to LAPOR when the bridge is on; others never do")
    func answersPushedBack() throws {
        let cells: [LaporExport.Column: String] = [.trackingID: "4417021", .title: "Antrean panjang", .body: "Antrean poli sangat panjang.",
                                                   .status: "Terverifikasi", .privacy: ""]
        guard case .reading(let reading) = LaporExport.read({ cells[$0] }, timeZone: WorkingCalendar.wita, now: Clock.submitted,
                                                            privacyColumns: true) else { Issue.record("not read"); return }
        let imported = try Lifecycle.importFromNational(reading, into: "63", unit: nil, category: nil, trackingID: "7KQ2MX9PJ",
                                                        actorRole: "coordinator", note: nil, context: context(bridge: true, at: Clock.submitted)).record
        let coordinator = F.coordinator(of: imported)
        let disposed = try Lifecycle.decide(.verify(Disposition(unit: "63/dinkes")), by: coordinator, on: imported, context: context(bridge: true)).record
        let liaison = F.liaison(of: disposed)
        let lapor = Notice(.externalSystem("lapor"), "lapor_answer")
        let followed = try Lifecycle.decide(.followUp, by: liaison, on: disposed, texts: Texts(public: "Sedang ditinjau."), context: context(bridge: true))
        #expect(followed.notices.contains(lapor))
        let answered = try Lifecycle.decide(.respondFinal, by: liaison, on: followed.record, texts: Texts(public: "Sudah diperbaiki."), context: context(bridge: true))
        #expect(answered.notices.contains(lapor))
        let offline = try Lifecycle.decide(.followUp, by: liaison, on: disposed, texts: Texts(public: "Sedang ditinjau."), context: context(bridge: false))
        #expect(!offline.notices.contains(lapor))
        let ordinary = try F.record(in: .didisposisikan)
        let local = try Lifecycle.decide(.followUp, by: F.liaison(of: ordinary), on: ordinary, texts: Texts(public: "Sedang ditinjau."), context: context(bridge: true))
        #expect(!local.notices.contains(lapor))
    }
}
