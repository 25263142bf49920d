import APIMachinery
import HTTP1
import Store
import Testing

@testable import APIServer

/// The accept/reject edges of kube's bearer-token request authenticator
/// (`k8s.io/apiserver/pkg/authentication/request/bearertoken`: `TrimSpace` the header, split on
/// " ", exactly `bearer` in any case, a non-empty second part) and of the bootstrap-token
/// shape (`^[a-z0-9]{6}\.[a-z0-9]{16}$`).
@Suite struct BearerTokenTests {
  @Test(arguments: [
    ("Bearer tok", "tok"), ("bearer tok", "tok"), ("BEARER tok", "tok"), ("bEaReR tok", "tok"),
    ("Bearer tok extra", "tok"), ("Bearer tok ", "tok"), ("Bearer tok\tx", "tok\tx"),
    ("Bearer a.b.c", "a.b.c"), ("Bearer abcdef.0123456789abcdef", "abcdef.0123456789abcdef"),
    ("Bearer tök", "tök"), ("Bearer \u{A0}tok", "\u{A0}tok"), ("Bearer =:,;\"", "=:,;\""),
  ])
  func bearerCredentialsYieldTheirToken(header: String, token: String) {
    #expect(RequestAuthenticator.bearerToken(header) == token)
  }

  @Test(arguments: [
    "", "Bearer", "Bearer ", "Bearer  tok", "Bearer\ttok", "Basic eDp5", "Bearerx tok",
    "Bear tok", "Bëarer tok", "Bearer\u{A0}tok", "Token tok", "tok",
  ])
  func otherCredentialsAreNotBearerTokens(header: String) {
    #expect(RequestAuthenticator.bearerToken(header) == nil)
  }

  @Test func missingHeaderIsNoToken() {
    #expect(RequestAuthenticator.bearerToken(nil) == nil)
  }

  /// Go's `strings.TrimSpace` (ASCII and Unicode white space) runs before the split. The HTTP
  /// parser already strips SP and HTAB around a field value; these are the spaces it keeps.
  @Test(arguments: [
    ("\u{0B}Bearer tok", "tok"), ("Bearer tok\u{0C}", "tok"), ("\u{A0}Bearer tok", "tok"),
    ("Bearer tok\u{A0}", "tok"), ("Bearer tok\u{85}", "tok"), ("Bearer tok\u{3000}\u{2028}", "tok"),
    ("\u{2000}\u{200A}bearer tok", "tok"), ("Bearer tok\u{200B}", "tok\u{200B}"),
  ])
  func surroundingWhiteSpaceIsTrimmedAsGoDoes(header: String, token: String) {
    #expect(RequestAuthenticator.bearerToken(header) == token)
  }

  @Test(arguments: ["Bearer \u{2000}", "Bearer\u{0B}", "\u{A0}", "\u{0B} \u{0C}"])
  func onlyWhiteSpaceAfterTheSchemeIsNoToken(header: String) {
    #expect(RequestAuthenticator.bearerToken(header) == nil)
  }

  /// Go's `unicode.IsSpace` is the Unicode White_Space property: check every BMP scalar and
  /// a few supplementary ones, alone and around a word.
  @Test func trimmedScalarsAreExactlyUnicodeWhiteSpace() {
    let scalars = (0...0xFFFF).compactMap(Unicode.Scalar.init) + ["\u{1F600}", "\u{10FFFF}"]
    for scalar in scalars {
      var text = String(scalar) + "x" + String(scalar)
      let kept = text.withUTF8 { RequestAuthenticator.goTrimmingSpace($0) }
      let width = String(scalar).utf8.count
      let expected = scalar.properties.isWhitespace ? width..<(width + 1) : 0..<(2 * width + 1)
      #expect(kept == expected, "U+\(String(scalar.value, radix: 16))")
    }
  }

  @Test(arguments: [
    "abcdef.0123456789abcdef", "000000.0000000000000000", "zzzzzz.zzzzzzzzzzzzzzzz",
  ])
  func bootstrapShapedTokensSplit(token: String) {
    let parts = BootstrapTokenAuthenticator.split(token)
    #expect(parts?.id == String(token.prefix(6)))
    #expect(parts?.secret == String(token.suffix(16)))
  }

  @Test(arguments: [
    "", ".", "abcdef.", ".0123456789abcdef", "abcde.0123456789abcdef0", "abcdefg.0123456789abcde",
    "abcdef.0123456789abcdef.", "abcdef.0123456789abcde.", "abcdef0123456789abcdef0",
    ".abcdef0123456789abcdef", "abcdef..123456789abcdef", "abCdef.0123456789abcdef",
    "abcdef.0123456789abcdeF", "abc-ef.0123456789abcdef", "abcdef.0123456789abcd_f",
    "abcdé.0123456789abcdef", "abcdef.0123456789abcdé", "abcdef.0123456789abcdef\n",
    " abcdef.0123456789abcdef", "abcdef.0123456789abcd\u{301}",
  ])
  func otherTokensAreNotBootstrapShaped(token: String) {
    #expect(BootstrapTokenAuthenticator.split(token) == nil)
  }
}

/// The whole chain behind an `Authorization` header: anonymous when there is no bearer
/// credential, the first authenticator that knows the token wins, 401 otherwise.
@Suite struct BearerTokenChainTests {
  let authn: RequestAuthenticator

  init() throws {
    let registry = Registry(store: Store(), catalog: Catalog())
    try Bootstrap.seed(registry)
    let tokens = try StaticTokenFile(
      text: "tok,alice,1\nabcdef.0123456789abcdef,bob,2\nits-sa.static,carol,3\n", path: "f")
    authn = RequestAuthenticator(registry: registry, enabled: true, staticTokens: tokens)
  }

  func identity(_ headers: [(String, String)]) -> RequestIdentity {
    authn.authenticate(head("GET", "/api", headers: headers), peer: nil)
  }

  func identity(_ authorization: String) -> RequestIdentity {
    identity([("Authorization", authorization)])
  }

  @Test func noBearerCredentialIsAnonymous() {
    #expect(identity([]) == .anonymous)
    for header in ["Bearer", "Bearer ", "Bearer  tok", "Bearer\ttok", "Basic dG9rOg==", ""] {
      #expect(identity(header) == .anonymous, "\(header)")
    }
  }

  @Test func staticTokensWinWhateverTheirShape() {
    let alice = UserInfo(name: "alice", uid: "1", groups: ["system:authenticated"])
    #expect(identity("Bearer tok") == .user(alice))
    #expect(identity("bearer tok trailing") == .user(alice))
    #expect(identity("BEARER abcdef.0123456789abcdef").user.name == "bob")
    #expect(identity("Bearer its-sa.static").user.name == "carol")
  }

  @Test func theFirstAuthorizationHeaderCounts() {
    #expect(
      identity([("Authorization", "Bearer tok"), ("Authorization", "Bearer nope")]).user.name
        == "alice")
    #expect(
      identity([("authorization", "Bearer nope"), ("Authorization", "Bearer tok")])
        == .rejected)
  }

  @Test func unknownTokensAreRejected() {
    for header in [
      "Bearer nope", "Bearer tok.", "Bearer tök", "Bearer abcdef.0123456789abcdee",
      "Bearer zzzzzz.0123456789abcdef", "Bearer its-sa.unknown", "Bearer TOK",
    ] {
      #expect(identity(header) == .rejected, "\(header)")
    }
  }
}
