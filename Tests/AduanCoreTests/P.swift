import Testing
@testable import AduanCore
@Test func placeholder() {}
