import Testing

@testable import JSON

/// Long keys parsed twice share one String, and a slot shared by different keys never hands
/// out the wrong one.
@Suite struct InternedKeysTests {
  /// The address of a native String's bytes (nil for small strings).
  static func storage(_ s: String) -> UnsafePointer<UInt8>? {
    s.utf8.withContiguousStorageIfAvailable { $0.baseAddress }.flatMap { $0 }
  }

  @Test func repeatedLongKeysShareStorage() throws {
    let text = #"{"key-0.properties":"a","app.kubernetes.io/name":{"key-0.properties":1}}"#
    let first = try #require(try JSONParser.parse(text).objectValue)
    let second = try #require(try JSONParser.parse(text).objectValue)
    #expect(first.keys == ["key-0.properties", "app.kubernetes.io/name"])
    #expect(first == second)
    let a = try #require(Self.storage(first.keys[0]))
    #expect(Self.storage(second.keys[0]) == a)
    #expect(Self.storage(second["app.kubernetes.io/name"]?.objectValue?.keys[0] ?? "") == a)
  }

  @Test func keysOfEveryLengthRoundTrip() throws {
    // Lengths around the bounds, and keys that differ only in their middle bytes (their first
    // and last eight bytes, hence their slot, are the same).
    for n in [15, 16, 17, 18, 24, 25, 63, 64, 65, 100] {
      for middle in ["x", "y", "é"] {
        let filler = n - 16 - middle.utf8.count
        let key =
          filler < 0
          ? String(repeating: middle, count: n / middle.utf8.count)
          : "abcdefgh" + middle + String(repeating: "m", count: filler) + "12345678"
        let doc = try #require(try JSONParser.parse(#"{"\#(key)":1}"#).objectValue)
        #expect(doc.keys == [key], "\(n) \(middle)")
      }
    }
  }

  @Test func spellsComparesEveryByte() {
    let key = "0123456789abcdefghij"
    var bytes = Array(key.utf8)
    bytes.withUnsafeBufferPointer { b in
      #expect(InternedKeys.spells(key, b.baseAddress!, b.count))
      #expect(!InternedKeys.spells(key, b.baseAddress!, b.count - 1))
    }
    for i in bytes.indices {
      bytes[i] ^= 1
      bytes.withUnsafeBufferPointer { b in
        #expect(!InternedKeys.spells(key, b.baseAddress!, b.count), "\(i)")
      }
      bytes[i] ^= 1
    }
  }
}
