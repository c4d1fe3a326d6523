import Vapor

/// Every route, registered from `SiteURL`'s paths.
func routes(_ app: Application) throws {
    // Routes that take files have a larger body limit (`upload`); every other route takes a form's (RequestLimits).
    let maxBody = app.settings.maxBodyBytes
    app.get(.healthz, use: OpsController.health)
    app.get(.readyz, use: OpsController.ready)
    app.get(.metrics, use: OpsController.metrics)
    app.get(.openAPI, use: OpsController.openAPI)

    // API keys (issue 8): each group names the key scopes it accepts; a key sent anywhere else is refused (403).
    let v1 = app.grouped(BearerAuthenticator())
    let api = v1.grouped(APIKeyGate(accepts: []))
    let publicRead = v1.grouped(APIKeyGate(accepts: [.readPublic]))
    api.post(.authToken, use: AuthController.token)
    api.delete(.authToken, use: AuthController.revoke)
    api.get(.me, use: AuthController.me)
    api.get(.monevSummary, use: MonevController.api(false))
    api.get(.monevUnits, use: MonevController.api(true))
    api.post(.triageSuggest, use: TriageController.suggest)

    publicRead.get(.jurisdictions, use: ReferenceController.jurisdictions)
    publicRead.get(.units, use: ReferenceController.units)
    publicRead.get(.categories, use: ReferenceController.categories)

    // The complaint routes, each with the key scopes it accepts (a handler still checks the key's bound scope).
    let submitting = v1.grouped(APIKeyGate(accepts: [.submit]))
    let listing = v1.grouped(APIKeyGate(accepts: [.readScope]))
    let reading = v1.grouped(APIKeyGate(accepts: [.readPublic, .readScope, .act]))
    let acting = v1.grouped(APIKeyGate(accepts: [.act]))
    submitting.upload(.POST, .complaints, maxSize: maxBody, use: ComplaintController.submit)
    listing.get(.complaints, use: ListingController.list)
    reading.get(.complaint, use: ComplaintController.show)
    reading.get(.complaintEvents, use: ComplaintController.events)
    reading.get(.attachment, use: ComplaintController.attachment)
    for action in [SiteURL.Action.reply, .confirm, .dispute, .feedback] {
        api.post(RoutePattern.reporterAction.with("action", action.rawValue), use: ComplaintController.reporterAction(action))
    }
    acting.post(.officerAction, use: ComplaintController.officerAction)

    // QR codes: images, posters and snippets are public; listing and management need an officer in scope.
    api.get(.qrList, use: QRController.list)
    api.post(.qrList, use: QRController.create)
    publicRead.get(.qrImage, use: QRController.image)
    publicRead.get(.qrPoster, use: QRController.poster)
    publicRead.get(.qrSnippet, use: QRController.snippet)
    for action in ["deactivate", "rotate"] {
        api.post(RoutePattern.qrAction.with("action", action), use: QRController.manage(action))
    }

    // The public portal: HTML pages, every form protected against cross-site requests.
    let web = app.grouped(CSRF.Middleware())
    web.get(.home, use: PortalController.home)
    web.get(.report, use: PortalController.form)
    web.upload(.POST, .report, maxSize: maxBody, use: PortalController.submit)
    web.get(.reportSent, use: PortalController.sent)
    web.get(.track, use: PortalController.lookup)
    web.get(.qrForm, use: QRPageController.show)
    web.upload(.POST, .qrForm, maxSize: maxBody, use: QRPageController.submit)
    web.get(.complaintList, use: TransparencyController.list)
    web.get(.unitCard, use: TransparencyController.unit)
    web.get(.statistics, use: TransparencyController.statistics)
    web.get(.language, use: PortalController.switchLanguage)
    web.get(.publicComplaint, use: TrackingController.show)
    web.get(.trackingAttachment, use: TrackingController.attachment)
    web.get(.trackingThumbnail, use: TrackingController.thumbnail)
    web.post(RoutePattern.trackAction.with("action", SiteURL.TrackAction.pin.rawValue), use: TrackingController.unlock)
    web.post(RoutePattern.trackAction.with("action", SiteURL.TrackAction.keluar.rawValue), use: TrackingController.forget)
    web.get(.unsubscribe, use: UnsubscribeController.show)
    web.post(.unsubscribe, use: UnsubscribeController.confirm)
    web.get(.account, use: AccountController.mine)
    web.get(.signUp, use: AccountController.signUpForm)
    web.post(.signUp, use: AccountController.signUp)
    web.get(.signIn, use: AccountController.signInForm)
    web.post(.signIn, use: AccountController.signIn)
    web.post(.signOut, use: AccountController.signOut)
    web.get(.accountVerify, use: AccountController.verify)
    web.get(.accountPassword, use: AccountController.passwordForm)
    web.post(.accountPassword, use: AccountController.setPassword)
    // Officers in the browser (session cookie). The gate sends visitors without a session to the sign-in page;
    // every handler still checks the officer's scope on each complaint it touches.
    let officer = web.grouped(OfficerSession.SessionAuthenticator()).grouped(OfficerGate())
    officer.get(.officerSignIn, use: OfficerController.signInForm)
    officer.post(.officerSignIn, use: OfficerController.signIn)
    officer.post(.officerSignOut, use: OfficerController.signOut)
    officer.get(.officerForgot, use: OfficerAccountController.forgotForm)
    officer.post(.officerForgot, use: OfficerAccountController.forgot)
    officer.get(.officerReset, use: OfficerAccountController.resetForm)
    officer.post(.officerReset, use: OfficerAccountController.reset)
    officer.get(.officerAccount, use: OfficerAccountController.show)
    officer.post(.officerTwoFactor, use: OfficerAccountController.enrol)
    officer.post(.officerTwoFactorOff, use: OfficerAccountController.disable)
    officer.post(.officerRecoveryCodes, use: OfficerAccountController.regenerate)
    officer.post(.officerPassword, use: OfficerAccountController.changePassword)
    officer.post(.officerSignOutEverywhere, use: OfficerAccountController.signOutEverywhere)
    officer.post(.officerDigest, use: OfficerAccountController.setDigest)

    officer.get(.officerHome, use: QueueController.home)
    officer.get(.officerComplaints, use: QueueController.list)
    officer.post(.officerBulk, use: QueueController.bulk)
    officer.get(.officerInbox, use: InboxController.show)
    officer.post(.officerInboxRead, use: InboxController.markRead)
    officer.get(.officerNewComplaint, use: IntakeController.show)
    officer.upload(.POST, .officerNewComplaint, maxSize: maxBody, use: IntakeController.submit)
    officer.get(.intakeReceipt, use: IntakeController.receipt)
    officer.get(.officerComplaint, use: CaseController.show)
    // The complaint page's forms post to the page itself (the action in the field `aksi`), so a refused action is
    // shown again at the page's own address; the action's own address stays for scripts and old bookmarks.
    officer.upload(.POST, .officerComplaint, maxSize: maxBody, use: CaseController.act)
    officer.upload(.POST, .caseAction, maxSize: maxBody, use: CaseController.act)
    officer.get(.caseAttachment, use: CaseController.attachment)
    officer.get(.caseThumbnail, use: CaseController.thumbnail)
    officer.get(.officerMonev, use: MonevController.dashboard)
    officer.get(.monevCSV, use: MonevController.file(.csv))
    officer.get(.monevXLSX, use: MonevController.file(.xlsx))
    officer.get(.monevReport, use: MonevController.report)
    officer.get(.officerWarnings, use: WarningsController.show)
    officer.post(.officerWarnings, use: WarningsController.issue)
    officer.post(.warningNote, use: WarningsController.note)
    officer.post(.warningAcknowledge, use: WarningsController.acknowledge)
    officer.get(.officerTemplates, use: TemplatesController.show)
    officer.post(.officerTemplates, use: TemplatesController.save)
    officer.post(.officerTemplate, use: TemplatesController.save)
    officer.post(.officerTemplateDelete, use: TemplatesController.delete)

    InteropPageController.register(officer)
    // The workspace's export links: the API's export with the session instead of a token.
    officer.get(.officerExportCSV, use: ExportController.complaints(.csv))
    officer.get(.officerExportXLSX, use: ExportController.complaints(.xlsx))
    officer.get(.officerQR, use: OfficerController.qrPage)
    officer.post(.officerQR, use: OfficerController.qrCreate)
    for action in ["rotate", "deactivate"] {
        officer.post(RoutePattern.officerQRAction.with("action", action), use: OfficerController.qrAction(action))
    }

    // The sysadmin's pages (/petugas/admin/…): organisation, users, categories, calendars, settings.
    AdminController.register(officer)

    // The reply to a request for information may carry photos or documents (issue 19, fix 3).
    web.upload(.POST, RoutePattern.trackAction.with("action", SiteURL.TrackAction.balas.rawValue), maxSize: maxBody,
               use: TrackingController.reporterAction(.balas))
    web.upload(.POST, .publicComplaint, maxSize: maxBody, use: TrackingController.reporterAction(.balas))
    for action in [SiteURL.TrackAction.konfirmasi, .sanggah, .nilai] {
        web.post(RoutePattern.trackAction.with("action", action.rawValue), use: TrackingController.reporterAction(action))
    }
    registerOpen311(app)
    registerInterop(app)
}
