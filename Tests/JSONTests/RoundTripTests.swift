import JSON
import Testing

/// Random JSONValue trees from a seeded generator: serialize → parse must give the same tree, and
/// a second serialization the same bytes. A second, deliberately different encoder (random
/// whitespace, random `\u` escapes) checks the parser against more than our own writer's output.
@Suite struct RoundTripTests {
  static let scalarPool: [Unicode.Scalar] = [
    "a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "\n", "\r", "\t", "\u{0}", "\u{1F}",
    "\u{7F}", "\u{80}", "é", "\u{7FF}", "\u{800}", "€", "\u{2028}", "\u{2029}", "\u{FFFD}",
    "\u{FFFF}", "\u{10000}", "😀", "\u{10FFFF}", "日",
  ]

  struct Generator {
    var rng: SplitMix64

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func string() -> String {
      var s = String.UnicodeScalarView()
      for _ in 0..<int(12) {
        s.append(
          int(3) == 0
            ? RoundTripTests.scalarPool[int(RoundTripTests.scalarPool.count)]
            : Unicode.Scalar(UInt8(97 + int(26))))
      }
      return String(s)
    }

    mutating func double() -> Double {
      while true {
        let d: Double
        switch int(3) {
        case 0: d = Double(bitPattern: rng.next())
        case 1: d = Double(int(2_000_000) - 1_000_000) / 1000
        default: d = Double(int(1000) + 1) * 1e-9
        }
        // Integral doubles in Int64 range come back as .int (Go does the same), so skip them.
        if d.isFinite && Int64(exactly: d) == nil { return d }
      }
    }

    mutating func value(depth: Int) -> JSONValue {
      switch int(depth > 4 ? 6 : 9) {
      case 0: return .null
      case 1: return .bool(int(2) == 0)
      case 2: return .int(Int64(bitPattern: rng.next()) >> (int(64)))
      case 3: return .int([Int64.min, .max, 0, -1][int(4)])
      case 4: return .double(double())
      case 5: return .string(string())
      case 6, 7:
        return .array((0..<int(5)).map { _ in value(depth: depth + 1) })
      default:
        var object = JSONObject()
        for _ in 0..<int(6) { object[string()] = value(depth: depth + 1) }
        return .object(object)
      }
    }
  }

  @Test(arguments: [1, 2, 3, 0xBEEF, 0x5EED_CAFE])
  func randomTreesRoundTripExactly(seed: UInt64) throws {
    var generator = Generator(rng: SplitMix64(seed: seed))
    for _ in 0..<300 {
      let v = generator.value(depth: 0)
      let bytes = v.serialized()
      let back = try JSONParser.parse(bytes)
      #expect(back == v, "\(v.jsonString)")
      #expect(back.serialized() == bytes)

      var alternative: [UInt8] = []
      var altRNG = SplitMix64(seed: seed &+ UInt64(bytes.count))
      writeLoosely(v, to: &alternative, rng: &altRNG)
      let fromAlternative = try JSONParser.parse(alternative)
      #expect(fromAlternative == v, "\(String(decoding: alternative, as: UTF8.self))")
    }
  }

  /// A differently shaped but equivalent encoding.
  func writeLoosely(_ v: JSONValue, to out: inout [UInt8], rng: inout SplitMix64) {
    func space() {
      let ws: [UInt8] = [0x20, 0x09, 0x0A, 0x0D]
      for _ in 0..<Int(rng.next() % 3) { out.append(ws[Int(rng.next() % 4)]) }
    }
    func string(_ s: String) {
      out.append(UInt8(ascii: "\""))
      for scalar in s.unicodeScalars {
        let escape = rng.next() % 2 == 0 || scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
        if !escape {
          out.append(contentsOf: Array(String(scalar).utf8))
          continue
        }
        for unit in String(scalar).utf16 {
          let hex = String(unit, radix: 16, uppercase: rng.next() % 2 == 0)
          out.append(
            contentsOf: Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8))
        }
      }
      out.append(UInt8(ascii: "\""))
    }
    space()
    switch v {
    case .string(let s): string(s)
    case .double(let d):
      // A longer spelling: Swift's own description, possibly with an exponent.
      out.append(contentsOf: Array(d.description.utf8))
    case .array(let elements):
      out.append(UInt8(ascii: "["))
      for (k, e) in elements.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        writeLoosely(e, to: &out, rng: &rng)
      }
      space()
      out.append(UInt8(ascii: "]"))
    case .object(let object):
      out.append(UInt8(ascii: "{"))
      for (k, m) in object.members.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        space()
        string(m.key)
        space()
        out.append(UInt8(ascii: ":"))
        writeLoosely(m.value, to: &out, rng: &rng)
      }
      space()
      out.append(UInt8(ascii: "}"))
    default:
      JSONWriter.append(v, to: &out)
    }
    space()
  }

  @Test func kubernetesObjectRoundTripsByteForByte() throws {
    let text =
      ##"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default","uid":"6f1c2a9e-1b2c-4d5e-8f90-123456789abc","resourceVersion":"12746","creationTimestamp":"2026-11-25T06:19:06Z","labels":{"app":"demo","tier":"web"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"data\":{\"k\":\"v\"}}\n"},"managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2026-11-25T06:19:06Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:k":{}}}}]},"data":{"k":"v","script.sh":"#!/bin/sh\necho \u003chello\u003e \u0026\u0026 exit 0\n"},"immutable":false}"##
    #expect(try canonical(text) == text)
  }
}
