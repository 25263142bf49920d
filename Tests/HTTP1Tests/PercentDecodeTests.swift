import Testing

@testable import HTTP1

@Test(arguments: [
  ("a%20b", false, "a b"), ("a+b", false, "a+b"), ("a+b", true, "a b"), ("%2B", true, "+"),
  ("%e2%9c%93", false, "✓"), ("", false, ""), ("%2541", false, "%41"),
])
func percentDecodesOnce(_ input: String, _ plus: Bool, _ expected: String) {
  #expect(percentDecode(input, plusAsSpace: plus) == expected)
}

@Test(arguments: ["%", "%4", "%zz", "a%g0", "%%"])
func percentDecodeRejectsInvalidEscapes(_ input: String) {
  #expect(percentDecode(input) == nil)
}
