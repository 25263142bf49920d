import Foundation
import JSON
import Synchronization
import Testing

@testable import Store

/// Many writers and watchers on all cores: every watcher must see exactly the committed
/// sequence for its scope (no loss, no duplicate, revision order), a stuck watcher must end at
/// its bound, and the others must be unaffected.
@Suite("Concurrency stress")
struct ConcurrencyStressTests {
  struct Committed {
    var revision: Revision
    var key: ObjectKey
    var oldApp: String?
    var newApp: String?
  }

  final class Box<T>: @unchecked Sendable {
    let lock = NSLock()
    var value: T
    init(_ v: T) { value = v }
    func with<R>(_ f: (inout T) -> R) -> R {
      lock.lock()
      defer { lock.unlock() }
      return f(&value)
    }
  }

  struct Spec {
    var resource: ResourceKey
    var namespace: String?
    var app: String?
    var watcher: Watcher
    var after: Revision
    var initial: [StoredObject]
  }

  func runThreads(_ bodies: [@Sendable () -> Void]) {
    let group = DispatchGroup()
    for body in bodies {
      group.enter()
      let t = Thread {
        body()
        group.leave()
      }
      t.start()
    }
    group.wait()
  }

  @Test(arguments: BackendKind.allCases)
  func writersAndWatchersOnAllCores(_ kind: BackendKind) throws {
    let store = kind.store(StoreConfiguration(historySize: 100_000, historyAge: .zero))
    let writers = 4
    let opsPerWriter = 1500
    let start = store.currentRevision
    var specs: [Spec] = []
    func add(_ r: ResourceKey, _ ns: String?, _ app: String?) {
      var p: Store.Predicate?
      if let app { p = { $0.labels["app"] == app } }
      specs.append(
        Spec(
          resource: r, namespace: ns, app: app,
          watcher: store.watch(r, namespace: ns, predicate: p, from: .after(start)), after: start,
          initial: []))
    }
    for r in [configmaps, clusters] {
      add(r, nil, nil)
      add(r, nil, nil)
      add(r, nil, "x")
    }
    add(configmaps, "w0", nil)
    add(configmaps, "w1", "y")
    let stuck = store.watch(configmaps, from: .now, options: WatchOptions(queueLimit: 64 << 10))
    let committed = Box<[Committed]>([])
    let done = Atomic<Int>(0)
    let received = Box<[ObjectIdentifier: [WatchFrame]]>([:])
    let lateSpecs = Box<[Spec]>([])

    var bodies: [@Sendable () -> Void] = []
    for i in 0..<writers {
      bodies.append {
        var rng = SeededRandom(seed: UInt64(i + 1))
        var local: [Committed] = []
        var apps: [ObjectKey: String] = [:]
        for j in 0..<opsPerWriter {
          let resource = j % 3 == 0 ? clusters : configmaps
          let ns = resource == clusters ? "" : "w\(i)"
          let name = "w\(i)-o\(Int.random(in: 0..<8, using: &rng))"
          let key = ObjectKey(resource: resource, namespace: ns, name: name)
          let app = Bool.random(using: &rng) ? "x" : "y"
          let body = configMap(ns, name, data: [("j", "\(j)")], labels: [("app", app)])
          do {
            if let old = apps[key] {
              if Int.random(in: 0..<4, using: &rng) == 0 {
                let d = try store.delete(key)
                local.append(Committed(revision: d.revision, key: key, oldApp: old, newApp: nil))
                apps[key] = nil
              } else {
                let s = try store.guaranteedUpdate(key) { _ in .update(body, fields: [:]) }
                local.append(Committed(revision: s.revision, key: key, oldApp: old, newApp: app))
                apps[key] = app
              }
            } else {
              let s = try store.create(key, body)
              local.append(Committed(revision: s.revision, key: key, oldApp: nil, newApp: app))
              apps[key] = app
            }
          } catch {
            Issue.record("writer \(i): \(error)")
          }
        }
        committed.with { $0 += local }
        done.add(1, ordering: .sequentiallyConsistent)
      }
    }
    // Two consumers drain concurrently with the writers.
    let watchers = specs.map(\.watcher)
    for c in 0..<2 {
      let mine = watchers.enumerated().filter { $0.offset % 2 == c }.map(\.element)
      bodies.append {
        while true {
          let finished = done.load(ordering: .sequentiallyConsistent) == writers + 1
          for w in mine {
            let frames = w.drain().frames
            if !frames.isEmpty { received.with { $0[ObjectIdentifier(w), default: []] += frames } }
          }
          if finished { break }
          usleep(50)
        }
      }
    }
    // A bookmark ticker and a watch started mid-run with its initial state.
    bodies.append {
      var n = 0
      while done.load(ordering: .sequentiallyConsistent) < writers {
        store.sendBookmarks()
        n += 1
        if n == 20 {
          let w = store.watch(
            configmaps, from: .initialState,
            options: WatchOptions(bookmarks: true, sendInitialEventsEndBookmark: true))
          lateSpecs.with {
            $0.append(
              Spec(
                resource: configmaps, namespace: nil, app: nil, watcher: w, after: 0, initial: []))
          }
        }
        usleep(200)
      }
      done.add(1, ordering: .sequentiallyConsistent)
    }
    runThreads(bodies)

    let all = committed.with { $0 }.sorted { $0.revision < $1.revision }
    #expect(all.count == writers * opsPerWriter)
    #expect(all.map(\.revision) == Array((start + 1)...store.currentRevision))
    let got = received.with { $0 }
    for spec in specs {
      let frames = got[ObjectIdentifier(spec.watcher)] ?? []
      let events = frames.filter { $0.type != .bookmark }
      let want = expected(all, spec, after: spec.after)
      #expect(
        events.count == want.count, "\(spec.resource) \(spec.namespace ?? "*") \(spec.app ?? "*")")
      #expect(seen(events) == want)
      #expect(spec.watcher.termination == nil)
    }
    // The mid-run initial-state watch: its snapshot plus the changes after it.
    for spec in lateSpecs.with({ $0 }) {
      let frames = spec.watcher.drain().frames
      let endIndex = try #require(frames.firstIndex { $0.type == .bookmark })
      let s = frames[endIndex].revision
      let snapshot = try store.list(configmaps, options: ListOptions(revision: .exact(s)))
      #expect(
        seen(Array(frames[..<endIndex]))
          == snapshot.items.map { Seen(.added, $0.name, $0.revision) })
      let rest = frames[(endIndex + 1)...].filter { $0.type != .bookmark }
      #expect(seen(Array(rest)) == expected(all, spec, after: s))
    }
    // The stuck watcher ended at its bound; the others received everything.
    #expect(stuck.termination == .overflowed)
    #expect(stuck.queuedBytes <= 64 << 10)
  }

  func expected(_ all: [Committed], _ spec: Spec, after: Revision) -> [Seen] {
    var out: [Seen] = []
    for c in all where c.revision > after && c.key.resource == spec.resource {
      if let ns = spec.namespace, ns != c.key.namespace { continue }
      let old = c.oldApp.map { spec.app == nil || spec.app == $0 } ?? false
      let new = c.newApp.map { spec.app == nil || spec.app == $0 } ?? false
      switch (old, new) {
      case (false, true): out.append(Seen(.added, c.key.name, c.revision))
      case (true, true): out.append(Seen(.modified, c.key.name, c.revision))
      case (true, false): out.append(Seen(.deleted, c.key.name, c.revision))
      case (false, false): break
      }
    }
    return out
  }
}
