import AduanCore
import Fluent
import Foundation
import Vapor

/// Working-day calendars (SPEC §5): each jurisdiction's time zone and working weekdays, the national holiday list every
/// jurisdiction follows (installation-wide administrators only) and each jurisdiction's local holidays, with CSV and
/// iCalendar import. Dues already stored on complaints are not recomputed: later calendar edits never rewrite history.
extension AdminController {
    /// The zones of Indonesia: WIB, WITA, WIT.
    static let timeZones = ["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]
    static let maxImportBytes = 1_048_576

    struct CalendarView: Encodable, Sendable {
        struct Link: Encodable, Sendable { var href: String; var label: String; var here: Bool }
        struct Day: Encodable, Sendable { var value: Int; var label: String; var checked: Bool }
        struct Week: Encodable, Sendable { var action: String; var days: [Day]; var timeZones: [Choice]; var errors: [String: String] }
        struct Row: Encodable, Sendable {
            var date: String; var iso: String; var name: String; var kind: String
            /// Nil for a national holiday shown on a jurisdiction's calendar: it is managed on the national list.
            var deleteAction: String?
        }
        var nav: [NavLink]
        var calendars: [Link]
        var label: String
        var week: Week?
        var year: Int
        var years: [Link]
        var rows: [Row]
        var hasRows: Bool
        var addAction: String
        var kinds: [Choice]
        var values: [String: String]
        var errors: [String: String]
        var importAction: String
        var importErrors: [String]
        var hasImportErrors: Bool
        var importHint: String
        var message: String?
    }

    /// The calendar named in the path (nil: the administrator's first jurisdiction): 404 when unknown, 403 outside the scope.
    static func holidayCalendar(_ req: Request, _ ctx: Context) throws -> HolidayCalendar {
        guard let component = req.parameters.get("calendar") else { return .jurisdiction(ctx.home) }
        guard let calendar = HolidayCalendar(pathComponent: component) else { throw AppError.notFound() }
        switch calendar {
        case .national: try ctx.requireInstallationWide(req)
        case .jurisdiction(let code): _ = try ctx.jurisdiction(code, req)
        }
        return calendar
    }

    static func calendarLabel(_ req: Request, _ ctx: Context, _ calendar: HolidayCalendar) -> String {
        switch calendar {
        case .national: return req.text("admin_calendar_national")
        case .jurisdiction(let code): return ctx.tree.jurisdictions[code].map { "\($0.name) (\($0.code))" } ?? code
        }
    }

    /// What a holiday without a kind in the file becomes: a national day on the national list, a local one elsewhere.
    static func defaultKind(_ calendar: HolidayCalendar) -> HolidayKind {
        calendar == .national ? .libur_nasional : .libur_daerah
    }

    static func calendar(_ req: Request, _ ctx: Context) async throws -> Response {
        let calendar = try holidayCalendar(req, ctx)
        // After an import, its counts fill in the confirmation.
        let counts = ["added", "updated", "unchanged"].reduce(into: [String: String]()) { $0[$1] = String(req.query[Int.self, at: $1] ?? 0) }
        return try await renderCalendar(req, ctx, calendar, year: req.query[Int.self, at: "tahun"], Feedback(), importErrors: [],
                                        message: doneMessage(req, counts), status: .ok)
    }

    /// `feedback.unit` says which form the errors belong to: `week` or `holiday`.
    static func renderCalendar(_ req: Request, _ ctx: Context, _ calendar: HolidayCalendar, year requested: Int?, _ feedback: Feedback,
                               importErrors: [String], message: String?, status: HTTPStatus) async throws -> Response {
        let working = ctx.reference.calendar(for: calendar.jurisdictionCode ?? ctx.home)
        let thisYear = working.localDate(of: req.application.clock.now).year
        let year = requested.flatMap { (1900...2200).contains($0) ? $0 : nil } ?? thisYear
        let own = try await OrgAdmin.holidays(calendar, on: req.db).all()
        let national = calendar == .national ? [] : try await OrgAdmin.holidays(.national, on: req.db).all()
        let wording = ctx.wording(req)

        let calendars = (ctx.scope.isInstallationWide ? [HolidayCalendar.national] : [])
            + orderedJurisdictions(ctx).map { HolidayCalendar.jurisdiction($0.0.code) }
        let links = calendars.map {
            CalendarView.Link(href: SiteURL.Admin.calendar($0.pathComponent).path, label: calendarLabel(req, ctx, $0), here: $0 == calendar)
        }
        let years = Set((own + national).compactMap { LocalDate($0.date)?.year } + [thisYear, thisYear + 1, year]).sorted().map {
            CalendarView.Link(href: SiteURL.Admin.calendar(calendar.pathComponent, year: $0).path, label: String($0), here: $0 == year)
        }
        let rows = (own.map { ($0, false) } + national.map { ($0, true) })
            .compactMap { holiday, isNational -> (LocalDate, CalendarView.Row)? in
                guard let date = LocalDate(holiday.date), date.year == year else { return nil }
                return (date, CalendarView.Row(
                    date: "\(req.text("day_\(date.isoWeekday)")), \(date.day) \(wording.month(date.month)) \(date.year)", iso: holiday.date,
                    name: holiday.name, kind: req.text("admin_holiday_kind_\(holiday.kind)"),
                    deleteAction: isNational ? nil : holiday.id.map { SiteURL.Admin.deleteHoliday(calendar.pathComponent, $0).path }))
            }
            .sorted { $0.0 < $1.0 }.map(\.1)

        var week: CalendarView.Week?
        if case .jurisdiction(let code) = calendar, let jurisdiction = try await Jurisdiction.find(code, on: req.db) {
            let errors = feedback.unit == "week" ? feedback.errors : [:]
            let checked = feedback.unit == "week" ? Set((1...7).filter { feedback.values["day\($0)"] != nil })
                : Set(jurisdiction.workingWeekdays.split(separator: ",").compactMap { Int($0) })
            let zone = feedback.unit == "week" ? feedback.values["time_zone"] ?? "" : jurisdiction.timeZone
            week = CalendarView.Week(action: SiteURL.Admin.workingWeek(code).path,
                                     days: (1...7).map { CalendarView.Day(value: $0, label: req.text("day_\($0)"), checked: checked.contains($0)) },
                                     timeZones: zoneChoices(current: jurisdiction.timeZone).map { Choice(value: $0, label: $0, selected: $0 == zone) },
                                     errors: errors)
        }
        let values = feedback.unit == "holiday" ? feedback.values : [:]
        let kind = values["kind"] ?? defaultKind(calendar).rawValue
        let view = CalendarView(
            nav: nav(req, ctx, .calendar), calendars: links, label: calendarLabel(req, ctx, calendar), week: week, year: year, years: years,
            rows: rows, hasRows: !rows.isEmpty, addAction: SiteURL.Admin.holidays(calendar.pathComponent).path,
            kinds: HolidayKind.allCases.map { Choice(value: $0.rawValue, label: req.text("admin_holiday_kind_\($0.rawValue)"), selected: $0.rawValue == kind) },
            values: values, errors: feedback.unit == "holiday" ? feedback.errors : [:],
            importAction: SiteURL.Admin.importHolidays(calendar.pathComponent).path, importErrors: importErrors,
            hasImportErrors: !importErrors.isEmpty,
            importHint: req.text("admin_import_hint", ["kind": req.text("admin_holiday_kind_\(defaultKind(calendar).rawValue)")]),
            message: message)
        return try await req.page("admin_calendar", title: "admin_section_calendar", view, status: status)
    }

    /// The zones offered: Indonesia's, plus whatever the jurisdiction has now so saving the form never changes it by accident.
    static func zoneChoices(current: String) -> [String] {
        timeZones.contains(current) ? timeZones : timeZones + [current]
    }

    static func setWorkingWeek(_ req: Request, _ ctx: Context) async throws -> Response {
        guard case .jurisdiction(let code) = try holidayCalendar(req, ctx),
              let jurisdiction = try await Jurisdiction.find(code, on: req.db) else { throw AppError.notFound() }
        let days = (1...7).filter { field(req, "day\($0)") == "1" }
        let zone = field(req, "time_zone")
        var errors: [String: String] = [:]
        if days.isEmpty { errors["weekdays"] = req.text("admin_calendar_error_weekdays") }
        if !zoneChoices(current: jurisdiction.timeZone).contains(zone) || TimeZone(identifier: zone) == nil {
            errors["time_zone"] = req.text("admin_calendar_error_time_zone")
        }
        guard errors.isEmpty else {
            var values = ["time_zone": zone]
            for day in days { values["day\(day)"] = "1" }
            return try await renderCalendar(req, ctx, .jurisdiction(code), year: nil, Feedback(values: values, errors: errors, unit: "week"),
                                            importErrors: [], message: nil, status: .unprocessableEntity)
        }
        try await OrgAdmin.setWorkingWeek(req.application, actor: ctx.actor, jurisdiction: code, weekdays: days, timeZone: zone)
        return redirect(req, to: SiteURL.Admin.calendar(code).path, done: "calendar_week")
    }

    static func addHoliday(_ req: Request, _ ctx: Context) async throws -> Response {
        let calendar = try holidayCalendar(req, ctx)
        let values = ["date": field(req, "date"), "name": field(req, "name"), "kind": field(req, "kind")]
        let date = LocalDate(values["date"]!), kind = HolidayKind(rawValue: values["kind"]!), name = values["name"]!
        var errors: [String: String] = [:]
        let taken = req.text("admin_holiday_error_taken")
        if let date {
            if try await OrgAdmin.holidays(calendar, on: req.db).filter(\.$date == date.description).count() > 0 { errors["date"] = taken }
        } else {
            errors["date"] = req.text("admin_holiday_error_date")
        }
        if name.isEmpty || name.count > HolidayImport.maxNameLength { errors["name"] = req.text("admin_holiday_error_name") }
        if kind == nil { errors["kind"] = req.text("admin_holiday_error_kind") }
        let refuse = { (errors: [String: String]) in
            try await renderCalendar(req, ctx, calendar, year: date?.year, Feedback(values: values, errors: errors, unit: "holiday"),
                                     importErrors: [], message: nil, status: .unprocessableEntity)
        }
        guard errors.isEmpty, let date, let kind else { return try await refuse(errors) }
        guard try await OrgAdmin.addHoliday(req.application, actor: ctx.actor, calendar: calendar, date: date, name: name, kind: kind) else {
            return try await refuse(["date": taken])
        }
        return redirect(req, to: SiteURL.Admin.calendar(calendar.pathComponent, year: date.year).path, done: "holiday_add")
    }

    static func deleteHoliday(_ req: Request, _ ctx: Context) async throws -> Response {
        let calendar = try holidayCalendar(req, ctx)
        guard let id = req.parameters.get("holiday_id", as: Int.self),
              let holiday = try await OrgAdmin.holidays(calendar, on: req.db).filter(\.$id == id).first() else { throw AppError.notFound() }
        try await OrgAdmin.deleteHoliday(req.application, actor: ctx.actor, calendar: calendar, holiday)
        return redirect(req, to: SiteURL.Admin.calendar(calendar.pathComponent, year: LocalDate(holiday.date)?.year).path, done: "holiday_delete")
    }

    struct ImportForm: Content { var file: File? }

    /// All or nothing: a file with any problem changes nothing and lists every problem with its line.
    static func importHolidays(_ req: Request, _ ctx: Context) async throws -> Response {
        let calendar = try holidayCalendar(req, ctx)
        let refuse = { (errors: [String]) in
            try await renderCalendar(req, ctx, calendar, year: nil, Feedback(), importErrors: errors, message: nil, status: .unprocessableEntity)
        }
        guard let file = try? req.content.decode(ImportForm.self).file, file.data.readableBytes > 0 else {
            return try await refuse([req.text("admin_import_error_no_file")])
        }
        guard file.data.readableBytes <= maxImportBytes else { return try await refuse([req.text("admin_import_error_too_large")]) }
        guard let text = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes, encoding: .utf8) else {
            return try await refuse([req.text("admin_import_error_encoding")])
        }
        let entries: [HolidayEntry]
        do {
            entries = try HolidayImport.parse(text)
        } catch {
            return try await refuse(error.errors.map { importMessage(req, ctx.wording(req), $0) })
        }
        let counts = try await OrgAdmin.importHolidays(req.application, actor: ctx.actor, calendar: calendar, entries: entries,
                                                       defaultKind: defaultKind(calendar), filename: file.filename)
        let years = Set(entries.map(\.date.year))
        return redirect(req, to: SiteURL.Admin.calendar(calendar.pathComponent, year: years.count == 1 ? years.first : nil).path,
                        done: "holiday_import", ["added": counts.added, "updated": counts.updated, "unchanged": counts.unchanged])
    }

    /// "Baris 3: …" in the reader's language.
    static func importMessage(_ req: Request, _ wording: Wording, _ error: HolidayImportError) -> String {
        let (key, values): (String, [String: String]) = switch error.reason {
        case .empty: ("empty", [:])
        case .tooManyEntries: ("too_many", ["max": String(HolidayImport.maxEntries)])
        case .missingColumn(let column): ("missing_column", ["value": column])
        case .unterminatedQuote: ("quote", [:])
        case .badDate(let text): ("date", ["value": text])
        case .missingName: ("missing_name", [:])
        case .nameTooLong: ("name_too_long", ["max": String(HolidayImport.maxNameLength)])
        case .badKind(let text): ("kind", ["value": text])
        case .duplicateDate(let date, let first): ("duplicate", ["value": wording.day(date), "first": String(first)])
        case .notCalendar: ("not_calendar", [:])
        case .malformedLine: ("malformed", [:])
        case .unexpectedEnd(let name): ("unexpected_end", ["value": name])
        case .unclosed(let name): ("unclosed", ["value": name])
        case .missingStart: ("missing_start", [:])
        case .notAllDay(let text): ("not_all_day", ["value": text])
        case .endNotAfterStart: ("end_before_start", [:])
        case .badDuration(let text): ("duration", ["value": text])
        case .spanTooLong(let days): ("span", ["value": String(days), "max": String(HolidayImport.maxSpanDays)])
        case .recurring: ("recurring", [:])
        }
        return req.text("admin_import_line", ["line": String(error.line), "problem": req.text("admin_import_error_\(key)", values)])
    }
}
