import Foundation

extension SiteURL {
    /// Paths of the sysadmin's pages (`AdminController`).
    enum Admin {
        enum UnitAction: String, CaseIterable { case rename = "nama", deactivate = "nonaktifkan", reactivate = "aktifkan" }
        enum UserAction: String, CaseIterable {
            case addRole = "peran", deactivate = "nonaktifkan", reactivate = "aktifkan", unlock = "buka-kunci", resetTwoFactor = "reset-2fa"
        }

        case home
        /// The tree of one jurisdiction (nil: the administrator's first); posting to it creates a unit there.
        case organisation(String?)
        case unit(String, UnitAction)
        /// An organisation CSV uploaded from a jurisdiction's page (checked, or loaded).
        case importUnits(String)
        case users
        case user(String)
        case userAction(String, UserAction)
        case removeRole(String, Int)
        /// Approving or refusing a pending role grant (`RoleGrants`).
        case decideGrant(String, Int, approve: Bool)
        /// The category list with the default units of one jurisdiction (nil: the administrator's first).
        case categories(String?)
        case categoryClass(String)
        case categoryUnit(String)
        /// A category's names in both languages (installation-wide).
        case categoryNames(String)
        /// A category's Open311 attributes; `edit` fills the form with one of them.
        case categoryAttributes(String, edit: String?)
        case deleteCategoryAttribute(String, String)
        /// One holiday calendar (`HolidayCalendar.pathComponent`; nil: the administrator's first), of a year when given.
        case calendar(String?, year: Int? = nil)
        case workingWeek(String)
        case holidays(String)
        case deleteHoliday(String, Int)
        case importHolidays(String)
        case settings
        case policy
        case security
        case map
        case messages
        case testMail
        case delivery
        case clearDelivery
        case retryAllMessages
        case retryMessage(Int)
        case messageTemplate(String, String)
        case resetMessageTemplate(String, String)
        case apiKeys
        case apiKey(UUID)
        case revokeAPIKey(UUID)
        /// The stored triage model of a jurisdiction and its measured accuracy (nil: the administrator's first); training it now.
        case triage(String?)
        case triageTrain(String)

        var path: String {
            typealias P = RoutePattern
            switch self {
            case .home: return P.adminHome.link()
            case .organisation(let code): return code.map { P.adminOrganisationOf.link($0) } ?? P.adminOrganisation.link()
            case .unit(let id, let action):
                // A unit's id is `jurisdiction/slug`.
                let jurisdiction = id.prefix { $0 != "/" }
                return P.adminUnitAction.link(jurisdiction, id.dropFirst(jurisdiction.count + 1), action.rawValue)
            case .importUnits(let code): return P.adminImportUnits.link(code)
            case .users: return P.adminUsers.link()
            case .user(let username): return P.adminUser.link(username)
            case .userAction(let username, let action): return P.adminUserAction.link(username, action.rawValue)
            case .removeRole(let username, let id): return P.adminRemoveRole.link(username, id)
            case .decideGrant(let username, let id, let approve):
                return (approve ? P.adminApproveGrant : P.adminRefuseGrant).link(username, id)
            case .categories(let code): return P.adminCategories.link() + (code.map { "?j=\($0)" } ?? "")
            case .categoryClass(let code): return P.adminCategoryClass.link(code)
            case .categoryNames(let code): return P.adminCategoryNames.link(code)
            case .categoryUnit(let code): return P.adminCategoryUnit.link(code)
            case .categoryAttributes(let code, let edit):
                return P.adminCategoryAttributes.link(code)
                    + (edit.map { "?ubah=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
            case .deleteCategoryAttribute(let code, let attribute): return P.adminDeleteCategoryAttribute.link(code, attribute)
            case .calendar(let calendar, let year):
                return (calendar.map { P.adminCalendarOf.link($0) } ?? P.adminCalendar.link()) + (year.map { "?tahun=\($0)" } ?? "")
            case .workingWeek(let calendar): return P.adminWorkingWeek.link(calendar)
            case .holidays(let calendar): return P.adminHolidays.link(calendar)
            case .deleteHoliday(let calendar, let id): return P.adminDeleteHoliday.link(calendar, id)
            case .importHolidays(let calendar): return P.adminImportHolidays.link(calendar)
            case .settings: return P.adminSettings.link()
            case .policy: return P.adminPolicy.link()
            case .security: return P.adminSecurity.link()
            case .map: return P.adminMap.link()
            case .messages: return P.adminMessages.link()
            case .testMail: return P.adminTestMail.link()
            case .delivery: return P.adminDelivery.link()
            case .clearDelivery: return P.adminClearDelivery.link()
            case .retryAllMessages: return P.adminRetryAllMessages.link()
            case .retryMessage(let id): return P.adminRetryMessage.link(id)
            case .messageTemplate(let kind, let lang): return P.adminMessageTemplate.link(kind, lang)
            case .resetMessageTemplate(let kind, let lang): return P.adminResetMessageTemplate.link(kind, lang)
            case .apiKeys: return P.adminAPIKeys.link()
            case .apiKey(let id): return P.adminAPIKey.link(id.uuidString.lowercased())
            case .revokeAPIKey(let id): return P.adminRevokeAPIKey.link(id.uuidString.lowercased())
            case .triage(let code): return P.adminTriage.link() + (code.map { "?j=\($0)" } ?? "")
            case .triageTrain(let code): return P.adminTriageTrain.link(code)
            }
        }
    }

    /// Paths of the officer's import/export pages (`InteropPageController`).
    enum Interop {
        case page
        case importLapor
        /// The LAPOR agency names without a unit, for a jurisdiction (or the officer's first).
        case agencies(String?)
        case deleteAlias
        /// `csv` or `xlsx`; the listing's filters may follow as a query.
        case export(String)

        var path: String {
            switch self {
            case .page: return RoutePattern.interopPage.link()
            case .importLapor: return RoutePattern.interopImport.link()
            case .agencies(let jurisdiction):
                return RoutePattern.interopAgencies.link() + (jurisdiction.map { "?jurisdiction=\($0)" } ?? "")
            case .deleteAlias: return RoutePattern.interopDeleteAlias.link()
            case .export(let ext): return (ext == "xlsx" ? RoutePattern.officerExportXLSX : RoutePattern.officerExportCSV).link()
            }
        }
    }

    /// Paths of the sysadmin's webhook pages (`AdminController+Webhooks`).
    enum Webhooks {
        case list
        case one(Int)
        /// `nonaktifkan`, `aktifkan` or `uji`.
        case action(Int, String)

        var path: String {
            switch self {
            case .list: return RoutePattern.adminWebhooks.link()
            case .one(let id): return RoutePattern.adminWebhook.link(id)
            case .action(let id, let action): return RoutePattern.adminWebhookAction.link(id, action)
            }
        }
    }
}

extension RoutePattern {
    // The sysadmin's pages (`AdminController`)
    static let adminHome = RoutePattern("/petugas/admin")
    static let adminOrganisation = RoutePattern("/petugas/admin/organisasi")
    static let adminOrganisationOf = RoutePattern("/petugas/admin/organisasi/:jurisdiction")
    static let adminImportUnits = RoutePattern("/petugas/admin/organisasi/:jurisdiction/impor")
    /// Registered once per `SiteURL.Admin.UnitAction`.
    static let adminUnitAction = RoutePattern("/petugas/admin/unit/:jurisdiction/:slug/:action")
    static let adminUsers = RoutePattern("/petugas/admin/pengguna")
    static let adminUser = RoutePattern("/petugas/admin/pengguna/:username")
    /// Registered once per `SiteURL.Admin.UserAction`.
    static let adminUserAction = RoutePattern("/petugas/admin/pengguna/:username/:action")
    static let adminRemoveRole = RoutePattern("/petugas/admin/pengguna/:username/peran/:role_id/hapus")
    static let adminApproveGrant = RoutePattern("/petugas/admin/pengguna/:username/permintaan/:grant_id/setujui")
    static let adminRefuseGrant = RoutePattern("/petugas/admin/pengguna/:username/permintaan/:grant_id/tolak")
    static let adminCategories = RoutePattern("/petugas/admin/kategori")
    static let adminCategoryClass = RoutePattern("/petugas/admin/kategori/:code/kelas")
    static let adminCategoryUnit = RoutePattern("/petugas/admin/kategori/:code/unit")
    static let adminCategoryNames = RoutePattern("/petugas/admin/kategori/:code/nama")
    static let adminCategoryAttributes = RoutePattern("/petugas/admin/kategori/:code/atribut")
    static let adminDeleteCategoryAttribute = RoutePattern("/petugas/admin/kategori/:code/atribut/:attribute/hapus")
    static let adminCalendar = RoutePattern("/petugas/admin/kalender")
    static let adminCalendarOf = RoutePattern("/petugas/admin/kalender/:calendar")
    static let adminWorkingWeek = RoutePattern("/petugas/admin/kalender/:calendar/hari-kerja")
    static let adminHolidays = RoutePattern("/petugas/admin/kalender/:calendar/libur")
    static let adminDeleteHoliday = RoutePattern("/petugas/admin/kalender/:calendar/libur/:holiday_id/hapus")
    static let adminImportHolidays = RoutePattern("/petugas/admin/kalender/:calendar/impor")
    static let adminSettings = RoutePattern("/petugas/admin/pengaturan")
    static let adminPolicy = RoutePattern("/petugas/admin/pengaturan/tenggat")
    static let adminSecurity = RoutePattern("/petugas/admin/pengaturan/keamanan")
    static let adminMap = RoutePattern("/petugas/admin/pengaturan/peta")
    static let adminMessages = RoutePattern("/petugas/admin/pesan")
    static let adminTestMail = RoutePattern("/petugas/admin/pesan/uji")
    static let adminDelivery = RoutePattern("/petugas/admin/pesan/pengaturan")
    static let adminClearDelivery = RoutePattern("/petugas/admin/pesan/pengaturan/hapus")
    static let adminRetryAllMessages = RoutePattern("/petugas/admin/pesan/ulang-semua")
    static let adminRetryMessage = RoutePattern("/petugas/admin/pesan/:message_id/ulang")
    static let adminMessageTemplate = RoutePattern("/petugas/admin/pesan/templat/:kind/:lang")
    static let adminResetMessageTemplate = RoutePattern("/petugas/admin/pesan/templat/:kind/:lang/asli")
    static let adminWebhooks = RoutePattern("/petugas/admin/pesan/webhook")
    static let adminWebhook = RoutePattern("/petugas/admin/pesan/webhook/:webhook_id")
    /// Registered for `nonaktifkan`, `aktifkan` and `uji`.
    static let adminWebhookAction = RoutePattern("/petugas/admin/pesan/webhook/:webhook_id/:action")
    static let adminAPIKeys = RoutePattern("/petugas/admin/kunci-api")
    static let adminAPIKey = RoutePattern("/petugas/admin/kunci-api/:key_id")
    static let adminRevokeAPIKey = RoutePattern("/petugas/admin/kunci-api/:key_id/cabut")
    static let adminTriage = RoutePattern("/petugas/admin/triase")
    static let adminTriageTrain = RoutePattern("/petugas/admin/triase/:jurisdiction/latih")
}
