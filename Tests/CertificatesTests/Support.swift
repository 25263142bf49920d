import Foundation
import XCTest

/// A fresh directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "certificates-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Runs the `openssl` command line tool; throws when it exits non-zero. Returns stdout+stderr.
func openssl(_ arguments: [String]) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["openssl"] + arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let output = String(decoding: data, as: UTF8.self)
  guard process.terminationStatus == 0 else {
    throw OpenSSLToolError(arguments: arguments, output: output)
  }
  return output
}

struct OpenSSLToolError: Error, CustomStringConvertible {
  let arguments: [String]
  let output: String
  var description: String { "openssl \(arguments.joined(separator: " ")) failed: \(output)" }
}
