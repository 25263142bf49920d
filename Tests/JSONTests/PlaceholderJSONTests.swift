import Testing
@testable import JSON

@Test func JSONModuleLinks() { #expect(Bool(true)) }
