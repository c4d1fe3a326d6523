import Foundation
import Testing
@testable import AduanCore

@Suite("Open311 service attributes: definitions and answers")
struct ServiceAttributesTests {
    static let damage = ServiceAttribute(code: "kerusakan", datatype: .singlevaluelist, required: true, description: "Tingkat kerusakan", order: 1,
                                         values: [.init(key: "ringan", name: "Rusak ringan"), .init(key: "berat", name: "Rusak berat")])
    static let width = ServiceAttribute(code: "lebar", datatype: .number, required: false, description: "Lebar lubang (m)", order: 2)
    static let when = ServiceAttribute(code: "waktu", datatype: .datetime, required: false, description: "Sejak kapan", order: 3)
    static let items = ServiceAttribute(code: "fasilitas", datatype: .multivaluelist, required: false, description: "Fasilitas terdampak", order: 4,
                                        values: [.init(key: "lampu", name: "Lampu"), .init(key: "trotoar", name: "Trotoar")])
    static let note = ServiceAttribute(code: "catatan", datatype: .string, required: false, variable: false, description: "Foto membantu", order: 5)
    static let all = [items, note, when, width, damage]

    func check(_ answers: [String: [String]]) -> Result<[(code: String, value: String)], FieldError> {
        ServiceAttributes.check(answers, against: Self.all, isDateTime: { $0.hasPrefix("2026-") })
    }

    @Test("valid answers come back in the definition's order, one row per chosen value")
    func valid() throws {
        let rows = try check(["fasilitas": ["lampu", "trotoar"], "kerusakan": ["berat"], "lebar": ["1.5"], "waktu": ["2026-03-01T08:00:00+08:00"]]).get()
        #expect(rows.map(\.code) == ["kerusakan", "lebar", "waktu", "fasilitas", "fasilitas"])
        #expect(rows.map(\.value) == ["berat", "1.5", "2026-03-01T08:00:00+08:00", "lampu", "trotoar"])
        #expect(try check(["kerusakan": ["ringan"], "lebar": [""]]).get().count == 1)
    }

    @Test("missing required, values outside the list, bad numbers and dates, unknown or information-only codes are refused")
    func refused() {
        func field(_ answers: [String: [String]]) -> String? {
            if case .failure(let e) = check(answers) { return e.field } else { return nil }
        }
        #expect(field([:]) == "attribute[kerusakan]")
        #expect(field(["kerusakan": ["  "]]) == "attribute[kerusakan]")
        #expect(field(["kerusakan": ["parah"]]) == "attribute[kerusakan]")
        #expect(field(["kerusakan": ["ringan", "berat"]]) == "attribute[kerusakan]")
        #expect(field(["kerusakan": ["ringan"], "lebar": ["lebar sekali"]]) == "attribute[lebar]")
        #expect(field(["kerusakan": ["ringan"], "lebar": ["inf"]]) == "attribute[lebar]")
        #expect(field(["kerusakan": ["ringan"], "waktu": ["kemarin"]]) == "attribute[waktu]")
        #expect(field(["kerusakan": ["ringan"], "fasilitas": ["lampu", "jembatan"]]) == "attribute[fasilitas]")
        #expect(field(["kerusakan": ["ringan"], "fasilitas": ["lampu", "lampu"]]) == "attribute[fasilitas]")
        #expect(field(["kerusakan": ["ringan"], "warna": ["merah"]]) == "attribute[warna]")
        #expect(field(["kerusakan": ["ringan"], "catatan": ["ada"]]) == "attribute[catatan]")
    }

    @Test("definitions: code, description, order, list values and the information-only rule are checked")
    func definitions() {
        #expect(Self.all.allSatisfy { ServiceAttributes.problems($0).isEmpty })
        func fields(_ a: ServiceAttribute) -> [String] { ServiceAttributes.problems(a).map(\.field) }
        var a = Self.damage
        a.code = "ada spasi"; #expect(fields(a) == ["code"])
        a = Self.damage; a.values = []; #expect(fields(a) == ["values"])
        a = Self.damage; a.values = [.init(key: "x", name: "X"), .init(key: "x", name: "Y")]; #expect(fields(a) == ["values"])
        a = Self.width; a.values = [.init(key: "x", name: "X")]; #expect(fields(a) == ["values"])
        a = Self.width; a.order = 0; a.description = " "; #expect(fields(a) == ["description", "order"])
        a = Self.note; a.required = true; #expect(fields(a) == ["required"])
        #expect(ServiceAttributes.parseValues("ringan=Rusak ringan\n\n berat = Rusak berat \nlain") ==
                [.init(key: "ringan", name: "Rusak ringan"), .init(key: "berat", name: "Rusak berat"), .init(key: "lain", name: "lain")])
    }
}
