import Foundation

/// The wording of every notification, per kind (the stable codes AduanCore emits) and language.
/// A Swift table until the sysadmin's template editor arrives; `{id}` stands for the tracking ID.
enum MailTemplates {
    struct Wording: Sendable, Equatable {
        var subject: String
        var body: String
    }

    struct Rendered: Sendable, Equatable {
        var subject: String
        var text: String
        var html: String
    }

    static let languages = ["id", "en"]

    static let table: [String: [String: Wording]] = [
        // To reporters
        "received": [
            "id": Wording(subject: "Laporan Anda telah diterima", body: "Terima kasih. Laporan Anda telah kami terima dengan nomor {id}. Simpan nomor ini untuk memantau perkembangannya."),
            "en": Wording(subject: "Your report has been received", body: "Thank you. We have received your report with tracking number {id}. Keep this number to follow its progress."),
        ],
        "info_requested": [
            "id": Wording(subject: "Kami memerlukan informasi tambahan", body: "Petugas memerlukan informasi tambahan tentang laporan {id}. Mohon lengkapi melalui halaman laporan Anda."),
            "en": Wording(subject: "We need more information", body: "An officer needs more information about report {id}. Please add it on your report's page."),
        ],
        "dispositioned": [
            "id": Wording(subject: "Laporan Anda diteruskan ke unit terkait", body: "Laporan {id} telah diverifikasi dan diteruskan ke unit kerja yang berwenang untuk ditindaklanjuti."),
            "en": Wording(subject: "Your report was forwarded to the responsible unit", body: "Report {id} has been verified and forwarded to the responsible unit for follow-up."),
        ],
        "follow_up": [
            "id": Wording(subject: "Ada tindak lanjut atas laporan Anda", body: "Unit kerja telah memperbarui tindak lanjut laporan {id}."),
            "en": Wording(subject: "There is progress on your report", body: "The responsible unit has posted progress on report {id}."),
        ],
        "final_answer": [
            "id": Wording(subject: "Tanggapan akhir atas laporan Anda", body: "Unit kerja telah memberikan tanggapan akhir atas laporan {id}. Silakan konfirmasi atau sanggah tanggapan tersebut melalui halaman laporan Anda."),
            "en": Wording(subject: "Final answer to your report", body: "The responsible unit has given its final answer to report {id}. Please confirm or dispute it on your report's page."),
        ],
        "closed": [
            "id": Wording(subject: "Laporan Anda telah selesai", body: "Laporan {id} telah ditutup. Terima kasih atas partisipasi Anda."),
            "en": Wording(subject: "Your report is closed", body: "Report {id} has been closed. Thank you for taking part."),
        ],
        "archived": [
            "id": Wording(subject: "Laporan Anda diarsipkan", body: "Laporan {id} diarsipkan. Alasannya dapat Anda lihat pada halaman laporan."),
            "en": Wording(subject: "Your report was archived", body: "Report {id} has been archived. You can read the reason on your report's page."),
        ],
        "forwarded": [
            "id": Wording(subject: "Laporan Anda dialihkan", body: "Laporan {id} dialihkan kepada instansi yang berwenang."),
            "en": Wording(subject: "Your report was transferred", body: "Report {id} has been transferred to the authority responsible for it."),
        ],
        "merged": [
            "id": Wording(subject: "Laporan Anda digabungkan", body: "Laporan {id} digabungkan dengan laporan lain tentang hal yang sama; perkembangannya tetap dapat Anda pantau."),
            "en": Wording(subject: "Your report was merged", body: "Report {id} was merged with another report about the same matter; you can still follow its progress."),
        ],
        // To officers
        "new_complaint": [
            "id": Wording(subject: "Laporan baru perlu diverifikasi", body: "Laporan baru {id} masuk dan menunggu verifikasi."),
            "en": Wording(subject: "New report to verify", body: "New report {id} is waiting for verification."),
        ],
        "new_disposition": [
            "id": Wording(subject: "Disposisi baru untuk unit Anda", body: "Laporan {id} didisposisikan kepada unit Anda. Mohon segera ditindaklanjuti."),
            "en": Wording(subject: "New assignment for your unit", body: "Report {id} has been assigned to your unit. Please act on it."),
        ],
        "returned": [
            "id": Wording(subject: "Laporan dikembalikan oleh unit", body: "Unit kerja mengembalikan laporan {id}. Mohon tinjau kembali disposisinya."),
            "en": Wording(subject: "Report returned by a unit", body: "A unit returned report {id}. Please review its assignment."),
        ],
        "reporter_replied": [
            "id": Wording(subject: "Pelapor melengkapi informasi", body: "Pelapor telah menjawab permintaan informasi pada laporan {id}."),
            "en": Wording(subject: "The reporter replied", body: "The reporter answered the request for information on report {id}."),
        ],
        "disputed": [
            "id": Wording(subject: "Pelapor menyanggah tanggapan", body: "Pelapor menyanggah tanggapan akhir atas laporan {id}."),
            "en": Wording(subject: "The reporter disputed the answer", body: "The reporter disputed the final answer to report {id}."),
        ],
        "confirmed": [
            "id": Wording(subject: "Pelapor mengonfirmasi tanggapan", body: "Pelapor mengonfirmasi tanggapan akhir atas laporan {id}."),
            "en": Wording(subject: "The reporter confirmed the answer", body: "The reporter confirmed the final answer to report {id}."),
        ],
        "feedback": [
            "id": Wording(subject: "Penilaian dari pelapor", body: "Pelapor memberikan penilaian atas penanganan laporan {id}."),
            "en": Wording(subject: "Feedback from the reporter", body: "The reporter rated the handling of report {id}."),
        ],
        "extension_requested": [
            "id": Wording(subject: "Permohonan perpanjangan waktu", body: "Unit kerja memohon perpanjangan waktu penanganan laporan {id}."),
            "en": Wording(subject: "Extension requested", body: "A unit asks for more time to handle report {id}."),
        ],
        "extension_approved": [
            "id": Wording(subject: "Perpanjangan waktu disetujui", body: "Permohonan perpanjangan waktu untuk laporan {id} disetujui."),
            "en": Wording(subject: "Extension approved", body: "The extension for report {id} was approved."),
        ],
        "extension_refused": [
            "id": Wording(subject: "Perpanjangan waktu ditolak", body: "Permohonan perpanjangan waktu untuk laporan {id} ditolak; batas waktu semula tetap berlaku."),
            "en": Wording(subject: "Extension refused", body: "The extension for report {id} was refused; the original deadline stands."),
        ],
        "supervision": [
            "id": Wording(subject: "Catatan pengawasan", body: "Inspektorat memberikan catatan pengawasan atas laporan {id}."),
            "en": Wording(subject: "Supervision note", body: "The inspectorate added a supervision note to report {id}."),
        ],
        "collaboration": [
            "id": Wording(subject: "Unit Anda diminta berkolaborasi", body: "Unit Anda diminta membantu penanganan laporan {id}."),
            "en": Wording(subject: "Your unit is asked to collaborate", body: "Your unit is asked to help handle report {id}."),
        ],
        "due_soon": [
            "id": Wording(subject: "Batas waktu tinggal 1 hari kerja", body: "Laporan {id} mencapai batas waktu penanganan dalam 1 hari kerja. Mohon segera ditindaklanjuti agar tidak terlambat."),
            "en": Wording(subject: "Due within 1 working day", body: "Report {id} reaches its handling deadline within 1 working day. Please act on it so it is not late."),
        ],
        "overdue": [
            "id": Wording(subject: "Laporan melewati batas waktu", body: "Laporan {id} telah melewati batas waktu penanganan. Mohon segera ditindaklanjuti."),
            "en": Wording(subject: "Report overdue", body: "Report {id} is past its handling deadline. Please act on it now."),
        ],
        "escalation": [
            "id": Wording(subject: "Eskalasi: laporan belum ditangani", body: "Laporan {id} belum ditangani setelah melewati batas waktu dan dieskalasikan kepada Anda."),
            "en": Wording(subject: "Escalation: report not handled", body: "Report {id} is still not handled past its deadline and has been escalated to you."),
        ],
    ]

    /// Falls back to Indonesian, then to a neutral wording for a kind the table does not know yet.
    static func wording(kind: String, language: String) -> Wording {
        let entry = table[kind]
        return entry?[language] ?? entry?["id"]
            ?? Wording(subject: "Pemberitahuan laporan", body: "Ada pembaruan pada laporan {id}.")
    }

    static func render(kind: String, language: String, trackingID: String, link: String, officer: Bool,
                       unsubscribe: String? = nil) -> Rendered {
        let language = languages.contains(language) ? language : "id"
        return render(wording(kind: kind, language: language), language: language, trackingID: trackingID, link: link, officer: officer,
                      unsubscribe: unsubscribe)
    }

    /// Renders a wording (the built-in one or the sysadmin's) as text and HTML; every inserted value is escaped in the HTML.
    static func render(_ wording: Wording, language: String, trackingID: String, link: String, officer: Bool,
                       unsubscribe: String? = nil) -> Rendered {
        let body = wording.body.replacingOccurrences(of: "{id}", with: trackingID)
        let subject = wording.subject.replacingOccurrences(of: "{id}", with: trackingID)
        let english = language == "en"
        let linkLabel = officer ? (english ? "Open the report" : "Buka laporan")
                                : (english ? "Follow your report" : "Pantau laporan Anda")
        let footer = english ? "This message was sent automatically by Aduan; please do not reply to it."
                             : "Pesan ini dikirim otomatis oleh Aduan; mohon tidak membalas pesan ini."
        let stopLabel = english ? "Stop e-mails about this report" : "Berhenti menerima e-mail tentang laporan ini"
        let stopText = unsubscribe.map { "\n\(stopLabel): \($0)" } ?? ""
        let text = "\(body)\n\n\(linkLabel): \(link)\n\n-- \n\(footer)\(stopText)\n"
        let e = MIME.escapeHTML
        let stopHTML = unsubscribe.map { "<br><a href=\"\(e($0))\">\(e(stopLabel))</a>" } ?? ""
        let html = """
            <!DOCTYPE html>
            <html lang="\(language)"><head><meta charset="utf-8"><title>\(e(subject))</title></head>
            <body style="font-family:sans-serif;line-height:1.5">
            <p>\(e(body).replacingOccurrences(of: "\n", with: "<br>"))</p>
            <p><a href="\(e(link))">\(e(linkLabel))</a><br><span style="color:#555">\(e(link))</span></p>
            <hr><p style="color:#777;font-size:small">\(e(footer))\(stopHTML)</p>
            </body></html>

            """
        return Rendered(subject: "[\(trackingID)] \(subject)", text: text, html: html)
    }

    /// The password-reset message: the link is valid for one hour and once.
    static func passwordReset(language: String, link: String, username: String) -> Rendered {
        let english = language == "en"
        let subject = english ? "Reset your Aduan password" : "Atur ulang kata sandi Aduan"
        let body = english
            ? "Someone (hopefully you) asked to reset the password of officer account \(username). The link works once, within one hour. If it was not you, ignore this message; your password stays as it is."
            : "Seseorang (semoga Anda) meminta pengaturan ulang kata sandi akun petugas \(username). Tautan berlaku satu kali dalam satu jam. Jika bukan Anda, abaikan pesan ini; kata sandi Anda tidak berubah."
        let label = english ? "Choose a new password" : "Buat kata sandi baru"
        let e = MIME.escapeHTML
        let text = "\(body)\n\n\(label): \(link)\n"
        let html = """
            <!DOCTYPE html>
            <html lang="\(english ? "en" : "id")"><head><meta charset="utf-8"><title>\(e(subject))</title></head>
            <body style="font-family:sans-serif;line-height:1.5">
            <p>\(e(body))</p>
            <p><a href="\(e(link))">\(e(label))</a></p>
            </body></html>

            """
        return Rendered(subject: subject, text: text, html: html)
    }
}

/// The outbox payload of a password-reset message, sealed with the installation key because the link is live.
enum PasswordResetMail {
    static let kind = "password_reset"

    struct Payload: Codable, Sendable { var user: UUID; var link: String; var language: String }

    static func seal(_ payload: Payload, secrets: Secrets) throws -> String {
        try secrets.seal(JSONEncoder().encode(payload))
    }

    static func open(_ text: String, secrets: Secrets) throws -> Payload {
        try JSONDecoder().decode(Payload.self, from: secrets.open(text))
    }
}
