import Foundation
import Yams

/// Reads the YAML settings file (`--config`): a flat mapping of setting names to scalars.
enum ConfigFile {
  static func apply(path: String, to settings: inout Settings) throws(SettingsError) {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw SettingsError("cannot read config file \(path): \(error.localizedDescription)")
    }
    let document: Any?
    do {
      document = try Yams.load(yaml: text)
    } catch {
      throw SettingsError("config file \(path) is not valid YAML: \(error)")
    }
    guard let document else { return }  // an empty file sets nothing
    guard let mapping = document as? [String: Any] else {
      throw SettingsError("config file \(path) must be a mapping of setting names to values")
    }
    for key in mapping.keys.sorted() {
      let value = mapping[key]!
      guard value is String || value is Int || value is Double || value is Bool else {
        throw SettingsError("config file \(path): \(key) must be a single value")
      }
      do {
        try settings.set(key, "\(value)")
      } catch {
        throw SettingsError("config file \(path): \(error.description)")
      }
    }
  }
}
