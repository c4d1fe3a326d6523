import Vapor

/// Every route, registered from `SiteURL`'s paths.
func routes(_ app: Application) throws {
    // Routes that take files have a larger body limit (`upload`); every other route takes a form's (RequestLimits).
    let maxBody = app.settings.maxBodyBytes
    app.get("healthz", use: OpsController.health)
    app.get("metrics", use: OpsController.metrics)
    app.get("api", "openapi.json", use: OpsController.openAPI)

    // API keys (issue 8): each group names the key scopes it accepts; a key sent anywhere else is refused (403).
    let v1 = app.grouped("api", "v1").grouped(BearerAuthenticator())
    let api = v1.grouped(APIKeyGate(accepts: []))
    let publicRead = v1.grouped(APIKeyGate(accepts: [.readPublic]))
    api.post("auth", "token", use: AuthController.token)
    api.delete("auth", "token", use: AuthController.revoke)
    api.get("me", use: AuthController.me)
    api.get("monev", "summary", use: MonevController.api(false))
    api.get("monev", "units", use: MonevController.api(true))
    api.post("triage", "suggest", use: TriageController.suggest)

    publicRead.get("jurisdictions", use: ReferenceController.jurisdictions)
    publicRead.get("units", use: ReferenceController.units)
    publicRead.get("categories", use: ReferenceController.categories)

    // The complaint routes, each with the key scopes it accepts (a handler still checks the key's bound scope).
    let tracking = PathComponent(stringLiteral: ":\(SiteURL.trackingParameter)")
    let submitting = v1.grouped(APIKeyGate(accepts: [.submit]))
    let listing = v1.grouped(APIKeyGate(accepts: [.readScope]))
    let reading = v1.grouped(APIKeyGate(accepts: [.readPublic, .readScope, .act])).grouped("complaints", tracking)
    let acting = v1.grouped(APIKeyGate(accepts: [.act])).grouped("complaints", tracking)
    submitting.upload(.POST, "complaints", maxSize: maxBody, use: ComplaintController.submit)
    listing.get("complaints", use: ListingController.list)
    reading.get(use: ComplaintController.show)
    reading.get("events", use: ComplaintController.events)
    reading.get("attachments", ":attachment_id", use: ComplaintController.attachment)
    let one = api.grouped("complaints", tracking)
    for action in [SiteURL.Action.reply, .confirm, .dispute, .feedback] {
        one.post(PathComponent(stringLiteral: action.rawValue), use: ComplaintController.reporterAction(action))
    }
    acting.post("actions", ":action", use: ComplaintController.officerAction)

    // QR codes: images, posters and snippets are public; listing and management need an officer in scope.
    let qr = api.grouped("qr")
    let publicQR = publicRead.grouped("qr")
    qr.get(use: QRController.list)
    qr.post(use: QRController.create)
    publicQR.get(":code", use: QRController.image)
    publicQR.get(":code", "poster.pdf", use: QRController.poster)
    publicQR.get(":code", "snippet", use: QRController.snippet)
    qr.post(":code", "deactivate", use: QRController.manage("deactivate"))
    qr.post(":code", "rotate", use: QRController.manage("rotate"))

    // The public portal: HTML pages, every form protected against cross-site requests.
    let web = app.grouped(CSRF.Middleware())
    web.get(use: PortalController.home)
    web.get("lapor", use: PortalController.form)
    web.upload(.POST, "lapor", maxSize: maxBody, use: PortalController.submit)
    web.get("lapor", "terkirim", use: PortalController.sent)
    web.get("lacak", use: PortalController.lookup)
    web.get("q", ":code", use: QRPageController.show)
    web.upload(.POST, "q", ":code", maxSize: maxBody, use: QRPageController.submit)
    web.get("laporan", use: TransparencyController.list)
    web.get("unit", ":jurisdiction", ":slug", use: TransparencyController.unit)
    web.get("statistik", use: TransparencyController.statistics)
    web.get("bahasa", ":lang", use: PortalController.switchLanguage)
    web.get("t", ":id", use: TrackingController.show)
    web.get("t", ":id", "lampiran", ":attachment", use: TrackingController.attachment)
    web.post("t", ":id", "pin", use: TrackingController.unlock)
    web.post("t", ":id", "keluar", use: TrackingController.forget)
    web.get("berhenti", ":id", ":channel", use: UnsubscribeController.show)
    web.post("berhenti", ":id", ":channel", use: UnsubscribeController.confirm)
    web.get("akun", use: AccountController.mine)
    web.get("akun", "daftar", use: AccountController.signUpForm)
    web.post("akun", "daftar", use: AccountController.signUp)
    web.get("akun", "masuk", use: AccountController.signInForm)
    web.post("akun", "masuk", use: AccountController.signIn)
    web.post("akun", "keluar", use: AccountController.signOut)
    web.get("akun", "verifikasi", ":token", use: AccountController.verify)
    web.get("akun", "sandi", ":token", use: AccountController.passwordForm)
    web.post("akun", "sandi", ":token", use: AccountController.setPassword)
    // Officers in the browser (session cookie). The gate sends visitors without a session to the sign-in page;
    // every handler still checks the officer's scope on each complaint it touches.
    let officer = web.grouped("petugas").grouped(OfficerSession.SessionAuthenticator()).grouped(OfficerGate())
    officer.get("masuk", use: OfficerController.signInForm)
    officer.post("masuk", use: OfficerController.signIn)
    officer.post("keluar", use: OfficerController.signOut)
    officer.get("lupa-sandi", use: OfficerAccountController.forgotForm)
    officer.post("lupa-sandi", use: OfficerAccountController.forgot)
    officer.get("atur-sandi", ":token", use: OfficerAccountController.resetForm)
    officer.post("atur-sandi", ":token", use: OfficerAccountController.reset)
    officer.get("akun", use: OfficerAccountController.show)
    officer.post("akun", "2fa", use: OfficerAccountController.enrol)
    officer.post("akun", "2fa", "nonaktif", use: OfficerAccountController.disable)
    officer.post("akun", "kode-pemulihan", use: OfficerAccountController.regenerate)
    officer.post("akun", "sandi", use: OfficerAccountController.changePassword)
    officer.post("akun", "keluar-semua", use: OfficerAccountController.signOutEverywhere)
    officer.post("akun", "ringkasan", use: OfficerAccountController.setDigest)

    officer.get(use: QueueController.home)
    officer.get("aduan", use: QueueController.list)
    officer.post("massal", use: QueueController.bulk)
    officer.get("kotak-masuk", use: InboxController.show)
    officer.post("kotak-masuk", "dibaca", use: InboxController.markRead)
    officer.get("aduan", "baru", use: IntakeController.show)
    officer.upload(.POST, "aduan", "baru", maxSize: maxBody, use: IntakeController.submit)
    officer.get("aduan", "baru", "tanda-terima", use: IntakeController.receipt)
    officer.get("aduan", ":id", use: CaseController.show)
    // The complaint page's forms post to the page itself (the action in the field `aksi`), so a refused action is
    // shown again at the page's own address; `/aksi/:action` stays for scripts and old bookmarks.
    officer.upload(.POST, "aduan", ":id", maxSize: maxBody, use: CaseController.act)
    officer.upload(.POST, "aduan", ":id", "aksi", ":action", maxSize: maxBody, use: CaseController.act)
    officer.get("aduan", ":id", "lampiran", ":attachment", use: CaseController.attachment)
    officer.get("monev", use: MonevController.dashboard)
    officer.get("monev.csv", use: MonevController.file(.csv))
    officer.get("monev.xlsx", use: MonevController.file(.xlsx))
    officer.get("monev", "laporan", use: MonevController.report)
    officer.get("teguran", use: WarningsController.show)
    officer.post("teguran", use: WarningsController.issue)
    officer.post("teguran", "catatan", use: WarningsController.note)
    officer.post("teguran", ":warning", "terima", use: WarningsController.acknowledge)
    officer.get("templat", use: TemplatesController.show)
    officer.post("templat", use: TemplatesController.save)
    officer.post("templat", ":template", use: TemplatesController.save)
    officer.post("templat", ":template", "hapus", use: TemplatesController.delete)

    InteropPageController.register(officer)
    // The workspace's export links: the API's export with the session instead of a token.
    officer.get("ekspor", "aduan.csv", use: ExportController.complaints(.csv))
    officer.get("ekspor", "aduan.xlsx", use: ExportController.complaints(.xlsx))
    officer.get("qr", use: OfficerController.qrPage)
    officer.post("qr", use: OfficerController.qrCreate)
    officer.post("qr", ":code", "rotate", use: OfficerController.qrAction("rotate"))
    officer.post("qr", ":code", "deactivate", use: OfficerController.qrAction("deactivate"))

    // The sysadmin's pages (/petugas/admin/…): organisation, users, categories, calendars, settings.
    AdminController.register(officer)

    // The reply to a request for information may carry photos or documents (issue 19, fix 3).
    web.upload(.POST, "t", ":id", PathComponent(stringLiteral: SiteURL.TrackAction.balas.rawValue), maxSize: maxBody,
               use: TrackingController.reporterAction(.balas))
    web.upload(.POST, "t", ":id", maxSize: maxBody, use: TrackingController.reporterAction(.balas))
    for action in [SiteURL.TrackAction.konfirmasi, .sanggah, .nilai] {
        web.post("t", ":id", PathComponent(stringLiteral: action.rawValue), use: TrackingController.reporterAction(action))
    }
    registerOpen311(app)
    registerInterop(app)
}
