/// A parsed label selector (apimachinery `pkg/labels` grammar): comma-separated requirements,
/// all of which must hold. Empty = everything.
public struct LabelSelector: Sendable, Equatable {
  public enum Operator: Sendable, Equatable {
    case equals, notEquals, inSet, notInSet, exists, doesNotExist, greaterThan, lessThan
  }

  public struct Requirement: Sendable, Equatable {
    public var key: String
    public var op: Operator
    public var values: [String]

    public func matches(_ labels: [String: String]) -> Bool {
      let value = labels[key]
      switch op {
      case .equals, .inSet:
        guard let value else { return false }
        return values.contains(value)
      case .notEquals, .notInSet:
        guard let value else { return true }
        return !values.contains(value)
      case .exists: return value != nil
      case .doesNotExist: return value == nil
      case .greaterThan, .lessThan:
        guard let value, let have = Int64(value), let want = values.first.flatMap({ Int64($0) })
        else { return false }
        return op == .greaterThan ? have > want : have < want
      }
    }
  }

  public var requirements: [Requirement]

  public static let everything = LabelSelector(requirements: [])

  public init(requirements: [Requirement]) { self.requirements = requirements }

  public var isEverything: Bool { requirements.isEmpty }

  public func matches(_ labels: [String: String]) -> Bool {
    for r in requirements where !r.matches(labels) { return false }
    return true
  }

  /// Parses `a=b,c!=d,e in (x,y),!f,g` exactly as apimachinery's `labels.Parse` does, and
  /// throws the 400 kube-apiserver sends with the parser's own wording.
  public init(parsing text: String) throws(APIError) {
    var tokens = SelectorTokens(text)
    var requirements: [Requirement] = []
    while true {
      let next = tokens.peek()
      switch next.kind {
      case .end:
        self.requirements = requirements
        return
      case .identifier, .not:
        do {
          requirements.append(try Self.requirement(&tokens))
        } catch {
          throw APIError.badRequest("unable to parse requirement: \(error.message)")
        }
        let after = tokens.next()
        switch after.kind {
        case .end:
          self.requirements = requirements
          return
        case .comma:
          let following = tokens.peek()
          guard following.kind == .identifier || following.kind == .not else {
            throw APIError.badRequest(
              "found '\(following.literal)', expected: identifier after ','")
          }
        default:
          throw APIError.badRequest("found '\(after.literal)', expected: ',' or 'end of string'")
        }
      default:
        throw APIError.badRequest(
          "found '\(next.literal)', expected: !, identifier, or 'end of string'")
      }
    }
  }

  struct ParseError: Error {
    var message: String
  }

  /// `parseRequirement` and `NewRequirement`: key, operator, values, then validation.
  private static func requirement(_ tokens: inout SelectorTokens) throws(ParseError) -> Requirement
  {
    var token = tokens.next()
    var inferred: Operator?
    if token.kind == .not {
      inferred = .doesNotExist
      token = tokens.next()
    }
    guard token.kind == .identifier else {
      throw ParseError(message: "found '\(token.literal)', expected: identifier")
    }
    let key = token.literal
    if let problem = LabelValidation.keyProblem(key) {
      // kube validates the key with the parser's (nil) field path.
      throw ParseError(message: "<nil>: Invalid value: \"\(key)\": \(problem)")
    }
    let lookahead = tokens.peek().kind
    if inferred == nil && (lookahead == .end || lookahead == .comma) { inferred = .exists }
    if let inferred { return Requirement(key: key, op: inferred, values: []) }

    let opToken = tokens.next()
    let op: Operator
    switch (opToken.kind, opToken.literal) {
    case (.identifier, "in"): op = .inSet
    case (.identifier, "notin"): op = .notInSet
    case (.equals, _), (.doubleEquals, _): op = .equals
    case (.notEquals, _): op = .notEquals
    case (.greaterThan, _): op = .greaterThan
    case (.lessThan, _): op = .lessThan
    default:
      throw ParseError(
        message: "found '\(opToken.literal)', expected: '=', '!=', '==', 'in', notin'")
    }
    var values: [String]
    if op == .inSet || op == .notInSet {
      values = try setValues(&tokens)
    } else {
      let next = tokens.peek()
      if next.kind == .end || next.kind == .comma {
        values = [""]
      } else {
        let value = tokens.next()
        guard value.kind == .identifier else {
          throw ParseError(message: "found '\(value.literal)', expected: identifier")
        }
        values = [value.literal]
      }
    }
    values = Array(Set(values)).sorted()  // a sets.String, listed sorted
    var problems: [String] = []
    if op == .greaterThan || op == .lessThan {
      for (i, v) in values.enumerated() where Int64(v) == nil {
        problems.append(
          "values[\(i)]: Invalid value: \"\(v)\": for 'Gt', 'Lt' operators, the value must be an integer"
        )
      }
    }
    for (i, v) in values.enumerated() {
      if let problem = LabelValidation.valueProblem(v) {
        problems.append("values[\(i)][\(key)]: Invalid value: \"\(v)\": \(problem)")
      }
    }
    if problems.count == 1 { throw ParseError(message: problems[0]) }
    if problems.count > 1 {
      throw ParseError(message: "[" + problems.joined(separator: ", ") + "]")
    }
    return Requirement(key: key, op: op, values: values)
  }

  /// `parseValues` and `parseIdentifiersList`: `(a,b)`, `()`, `(,a)`, `(a,,b)`.
  private static func setValues(_ tokens: inout SelectorTokens) throws(ParseError) -> [String] {
    let open = tokens.next()
    guard open.kind == .openParen else {
      throw ParseError(message: "found '\(open.literal)' expected: '('")
    }
    let first = tokens.peek()
    switch first.kind {
    case .closedParen:
      _ = tokens.next()
      return [""]
    case .identifier, .comma:
      var values: [String] = []
      listLoop: while true {
        let token = tokens.next()
        switch token.kind {
        case .identifier:
          values.append(token.literal)
          let next = tokens.peek()
          switch next.kind {
          case .comma: continue listLoop
          case .closedParen: break listLoop
          default: throw ParseError(message: "found '\(next.literal)', expected: ',' or ')'")
          }
        case .comma:
          if values.isEmpty { values.append("") }
          let next = tokens.peek()
          if next.kind == .closedParen {
            values.append("")
            break listLoop
          }
          if next.kind == .comma {
            _ = tokens.next()
            values.append("")
          }
        default:
          throw ParseError(message: "found '\(token.literal)', expected: ',', or identifier")
        }
      }
      guard tokens.next().kind == .closedParen else {
        throw ParseError(message: "found '\(first.literal)', expected: ')'")
      }
      return values
    default:
      throw ParseError(message: "found '\(first.literal)', expected: ',', ')' or identifier")
    }
  }
}

/// apimachinery's selector lexer: whitespace separates; `!`, `!=`, `(`, `)`, `,`, `=`, `==`,
/// `>`, `<` are symbols; anything else up to a symbol or whitespace is one identifier (`in` and
/// `notin` are keywords only where an operator is expected).
struct SelectorTokens {
  enum Kind: Equatable {
    case end, identifier, not, notEquals, openParen, closedParen, comma, equals, doubleEquals
    case greaterThan, lessThan
  }

  struct Token {
    var kind: Kind
    var literal: String
  }

  private let chars: [Character]
  private var i = 0

  init(_ text: String) { chars = Array(text) }

  static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }
  static func isSymbol(_ c: Character) -> Bool { "=!(),><".contains(c) }

  func peek() -> Token {
    var copy = self
    return copy.next()
  }

  mutating func next() -> Token {
    while i < chars.count, Self.isSpace(chars[i]) { i += 1 }
    guard i < chars.count else { return Token(kind: .end, literal: "") }
    let c = chars[i]
    if Self.isSymbol(c) {
      let pair = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
      if pair == "!=" || pair == "==" {
        i += 2
        return Token(kind: pair == "!=" ? .notEquals : .doubleEquals, literal: pair)
      }
      i += 1
      let kinds: [Character: Kind] = [
        "!": .not, "(": .openParen, ")": .closedParen, ",": .comma, "=": .equals, ">": .greaterThan,
        "<": .lessThan,
      ]
      return Token(kind: kinds[c] ?? .identifier, literal: String(c))
    }
    let start = i
    while i < chars.count, !Self.isSpace(chars[i]), !Self.isSymbol(chars[i]) { i += 1 }
    return Token(kind: .identifier, literal: String(chars[start..<i]))
  }
}
