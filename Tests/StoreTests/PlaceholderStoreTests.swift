import Testing
@testable import Store

@Test func StoreModuleLinks() { #expect(Bool(true)) }
