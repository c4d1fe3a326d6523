import AduanCore
import Fluent
import Foundation
import Vapor

struct DemoGroup: AsyncCommandGroup {
    var help: String { "Demonstration data." }
    var commands: [String: any AnyAsyncCommand] { ["load": DemoLoadCommand(), "generate": DemoGenerateCommand()] }
}

/// `demo load`: a small, realistic Kalsel installation — officers for a few units and complaints in every state,
/// each taken through the real lifecycle.
struct DemoLoadCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "password", help: "password for every demo officer (default: printed)") var password: String?
    }
    var help: String { "Load demo officers and complaints in every state (idempotent)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await Bootstrap.migrate(app)
        _ = try await ReferenceSeeder.seed(on: app.writeDB)
        app.reference.invalidate()
        let report = try await DemoData.load(app, password: signature.password ?? "demo-\(Secrets.randomToken(bytes: 6))")
        context.console.print(report)
    }
}

enum DemoData {
    static let officers: [(String, String, Role, String)] = [
        ("koordinator", "Admin Koordinator Diskominfo Kalsel", .coordinator, "63"),
        ("penghubung.dinkes", "Pejabat Penghubung Dinas Kesehatan", .liaison, "63/dinkes"),
        ("penghubung.dpupr", "Pejabat Penghubung Dinas PUPR", .liaison, "63/dpupr"),
        ("kepala.dinkes", "Kepala Dinas Kesehatan", .unit_head, "63/dinkes"),
        ("inspektur", "Inspektur Provinsi", .inspector, "63"),
        ("sekda", "Sekretaris Daerah", .executive, "63"),
        ("koordinator.banjarmasin", "Admin Koordinator Kota Banjarmasin", .coordinator, "63.71"),
        ("inspektur.banjarmasin", "Inspektur Kota Banjarmasin", .inspector, "63.71"),
    ]

    static func load(_ app: Application, password: String) async throws -> String {
        var lines: [String] = []
        if try await User.query(on: app.db).filter(\.$username == "koordinator").first() != nil {
            return "demo data is already loaded (user koordinator exists); nothing changed"
        }
        for (username, name, role, scope) in officers {
            try await UserAdmin.create(app, username: username, password: password, displayName: name, email: nil,
                                       assignments: [RoleAssignment(role: role, scope: Scope(scope)!)])
            lines.append("  \(username) — \(role.rawValue) on \(scope)")
        }
        let coordinator = try await officer(app, "koordinator")
        let dinkes = try await officer(app, "penghubung.dinkes")
        let dpupr = try await officer(app, "penghubung.dpupr")
        let inspector = try await officer(app, "inspektur")

        typealias Step = (ComplaintCommand, Officer?, Texts)
        let verifyDinkes: Step = (.verify(Disposition(unit: "63/dinkes", category: "kesehatan.rs", categoryClass: .tanpa_pemeriksaan)), coordinator, Texts(public: "Laporan diteruskan ke Dinas Kesehatan."))
        let verifyRoad: Step = (.verify(Disposition(unit: "63/dpupr", category: "infrastruktur.jalan", categoryClass: .pemeriksaan_lapangan)), coordinator, Texts(public: "Laporan diteruskan ke Dinas PUPR."))
        let followDinkes: Step = (.followUp, dinkes, Texts(public: "Kami sedang berkoordinasi dengan pihak rumah sakit."))
        let finalDinkes: Step = (.respondFinal, dinkes, Texts(public: "Antrean poli telah ditambah loket dan jadwal dokter diperpanjang."))
        let stories: [(String, String, String?, [Step])] = [
            ("Antrean poliklinik RSUD Ulin sangat panjang", "Saya mengantre sejak pukul 06.00 di poli penyakit dalam dan baru dilayani pukul 13.00. Mohon penambahan loket.", "63/rsud-ulin", []),
            ("Jalan berlubang di Jl. A. Yani km 17", "Lubang besar di ruas jalan provinsi dekat jembatan, sudah dua pengendara jatuh minggu ini.", "63/dpupr",
             [(.requestInfo, coordinator, Texts(public: "Mohon kirimkan foto dan titik lokasi yang lebih tepat."))]),
            ("Obat tidak tersedia di apotek rumah sakit", "Resep dari dokter tidak bisa ditebus karena stok kosong sejak dua minggu.", "63/dinkes", [verifyDinkes]),
            ("Perbaikan jalan tertunda di Martapura", "Proyek perbaikan jalan berhenti sejak bulan lalu tanpa papan informasi.", nil,
             [verifyRoad, (.followUp, dpupr, Texts(public: "Tim lapangan telah dijadwalkan untuk pemeriksaan lokasi."))]),
            ("Pelayanan IGD lambat", "Pasien kecelakaan menunggu lebih dari satu jam tanpa penanganan di IGD.", "63/dinkes", [verifyDinkes, followDinkes, finalDinkes]),
            ("Jadwal vaksinasi tidak diumumkan", "Informasi jadwal vaksinasi anak di puskesmas tidak pernah diumumkan.", "63/dinkes",
             [verifyDinkes, followDinkes, finalDinkes, (.confirm, nil, Texts())]),
            ("Iklan judi online", "Kunjungi situs kami untuk bonus besar setiap hari tanpa syarat apa pun.", nil,
             [(.archive(.spam), coordinator, Texts(internal: "Spam"))]),
            ("Tarif parkir di pasar kota", "Juru parkir di pasar meminta tarif di atas ketentuan peraturan daerah.", nil,
             [(.forwardExternal(destination: "Kementerian Dalam Negeri (SP4N-LAPOR! nasional)", reference: nil), coordinator, Texts(public: "Diteruskan ke instansi yang berwenang."))]),
        ]
        var created: [String] = []
        for (title, body, target, steps) in stories {
            var submission = Submission(title: title, body: body, jurisdiction: "63")
            submission.targetUnit = target
            submission.channel = .web
            submission.hasReporterContact = true
            let result = try await SubmitComplaint.create(
                submission: submission, reporter: ReporterIdentity(name: "Warga Demo", email: "warga.demo@example.org", phone: nil, nik: nil),
                content: .init(title: title, body: body), language: "id", files: [], actor: .reporter, actorID: nil, app: app)
            for (command, officer, texts) in steps {
                _ = try await ComplaintStore.perform(command, actor: officer.map(Participant.officer) ?? .reporter,
                                                          actorID: officer?.id, trackingID: result.tracking_id, texts: texts, app: app)
            }
            let state = try await Complaint.byTrackingID(result.tracking_id, on: app.db)!.state
            created.append("  \(result.tracking_id) \(state): \(title)")
        }
        // A whistleblowing report goes to the inspectorate only.
        var wbs = Submission(title: "Dugaan pungutan liar perizinan", body: "Petugas meminta uang tambahan agar izin usaha cepat terbit.", jurisdiction: "63")
        wbs.type = .wbs
        let w = try await SubmitComplaint.create(submission: wbs, reporter: nil, content: .init(title: wbs.title, body: wbs.body),
                                                      language: "id", files: [], actor: .reporter, actorID: nil, app: app)
        _ = try await ComplaintStore.perform(.verify(Disposition(unit: "63/inspektorat")), actor: .officer(inspector), actorID: inspector.id,
                                                  trackingID: w.tracking_id, texts: Texts(public: "Laporan diterima Inspektorat."), app: app)
        created.append("  \(w.tracking_id) didisposisikan: \(wbs.title) (wbs, confidential)")
        return (["demo officers (password: \(password)):"] + lines + ["demo complaints:"] + created).joined(separator: "\n")
    }

    static func officer(_ app: Application, _ username: String) async throws -> Officer {
        let user = try await User.query(on: app.db).filter(\.$username == username).first()!
        let roles = try await UserRole.query(on: app.db).filter(\.$user.$id == user.id!).all()
        return Officer(id: username, assignments: roles.compactMap(\.assignment))
    }
}
