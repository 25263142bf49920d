import JSON
import KubeClient

/// What the work agent tracks per ManifestWork in its mailbox.
struct WorkState {
  var object: JSONValue
  /// A finalizer add/remove or status write is in flight (one write per work at a time).
  var writing = false
  /// The status write is scheduled (`--apply-delay`) but not sent yet.
  var applyScheduled = false
  /// The object changed while a write was in flight: reconcile again afterwards.
  var dirty = false
  /// uid + generation already counted as applied (stats count each once).
  var countedGeneration: Int64 = 0
}

/// The work agent (ocm.md §3.3, §3.5): watch ManifestWorks in the mailbox namespace, add the
/// `manifest-work-cleanup` finalizer, report status after `--apply-delay`, remove the
/// finalizer once the work is being deleted. Writes are merge patches carrying uid and
/// resourceVersion; a 409 re-reads the work and tries again.
extension ClusterAgent {
  func startWorkAgent() {
    guard workWatch == nil, !worksFedByFleet else { return }
    workWatch = io.watch(collection: OCM.manifestWorks(name), selectors: []) { [self] update in
      workUpdate(update)
    }
    if workWatch == nil { worksFedByFleet = true }
  }

  /// A ManifestWork watch update for this mailbox (own watch, or from the shared one).
  public func workUpdate(_ update: WatchUpdate) {
    switch update {
    case .synced(let items):
      var seen = Set<String>()
      for item in items {
        guard let n = item["metadata"]?["name"]?.stringValue else { continue }
        seen.insert(n)
        upsert(n, item)
      }
      for n in works.keys where !seen.contains(n) { works[n] = nil }
    case .event(let e):
      guard let n = e.object["metadata"]?["name"]?.stringValue else { return }
      if e.kind == .deleted {
        works[n] = nil
      } else {
        upsert(n, e.object)
      }
    }
  }

  private func upsert(_ name: String, _ object: JSONValue) {
    if var state = works[name] {
      if isOlder(object, than: state.object) { return }
      state.object = object
      works[name] = state
    } else {
      works[name] = WorkState(object: object)
    }
    reconcileWork(name)
  }

  func reconcileWork(_ workName: String) {
    guard var state = works[workName] else { return }
    if state.writing || state.applyScheduled {
      state.dirty = true
      works[workName] = state
      return
    }
    let object = state.object
    let finalizers = object["metadata"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    let hasFinalizer = finalizers.contains(OCM.workFinalizer)
    if object["metadata"]?["deletionTimestamp"] != nil {
      if hasFinalizer {
        writeFinalizers(
          workName, object, finalizers.filter { $0 != OCM.workFinalizer }, adding: false)
      }
      return
    }
    if !hasFinalizer {
      writeFinalizers(workName, object, finalizers + [OCM.workFinalizer], adding: true)
      return
    }
    if WorkStatus.isReported(object) {
      // Settled: keep only what the next decision needs (10,000 agents hold 100,000 works).
      works[workName]?.object = Self.settled(object)
      return
    }
    state.applyScheduled = true
    works[workName] = state
    if config.applyDelayNanos == 0 {
      apply(workName)
    } else {
      io.after(nanos: config.applyDelayNanos) { [self] in apply(workName) }
    }
  }

  /// A settled work reduced to its metadata and work-level conditions: enough to tell a newer
  /// event, the finalizer and the reported generation apart (any change brings the whole object
  /// again in its event).
  static func settled(_ object: JSONValue) -> JSONValue {
    var reduced = JSONObject()
    if var metadata = object["metadata"]?.objectValue {
      metadata["managedFields"] = nil
      reduced["metadata"] = .object(metadata)
    }
    if let conditions = object["status"]?["conditions"] {
      reduced["status"] = .object(JSONObject([("conditions", conditions)]))
    }
    return .object(reduced)
  }

  /// Adds or removes the cleanup finalizer (sdk-go patcher: merge patch of metadata with uid and
  /// resourceVersion; an emptied list is sent as null, as a merge patch from the old object
  /// to one without finalizers reads).
  private func writeFinalizers(
    _ workName: String, _ object: JSONValue, _ finalizers: [String], adding: Bool
  ) {
    let list: JSONValue = finalizers.isEmpty ? .null : .array(finalizers.map { .string($0) })
    guard
      let body = Self.preconditionedPatch(
        object, ("metadata", .object(JSONObject([("finalizers", list)]))))
    else { return }
    works[workName]?.writing = true
    io.send(
      ClientRequest(
        "PATCH", OCM.manifestWork(name, workName), body: body, contentType: OCM.mergePatch)
    ) { [self] result in
      finishedWrite(workName, result) {
        if adding {
          SimulatorStats.bump(stats.finalizersAdded)
        } else {
          SimulatorStats.bump(stats.finalizersRemoved)
        }
      }
    }
  }

  private func apply(_ workName: String) {
    guard var state = works[workName] else { return }
    state.applyScheduled = false
    let object = state.object
    let generation = object["metadata"]?["generation"]?.int64Value ?? 1
    let outcome = WorkStatus.build(
      work: object, failRatio: config.failRatio, now: Timestamps.time(Timestamps.nowNanos()))
    guard object["metadata"]?["deletionTimestamp"] == nil, !WorkStatus.isReported(object),
      let body = Self.preconditionedPatch(object, ("status", outcome.status))
    else {
      works[workName] = state
      reconcileWork(workName)
      return
    }
    state.writing = true
    state.dirty = false
    works[workName] = state
    io.send(
      ClientRequest(
        "PATCH", OCM.manifestWork(name, workName) + "/status", body: body,
        contentType: OCM.mergePatch)
    ) { [self] result in
      finishedWrite(workName, result) { [self] in
        if works[workName] != nil {
          guard works[workName]!.countedGeneration != generation else { return }
          works[workName]!.countedGeneration = generation
        }
        if outcome.applied {
          SimulatorStats.bump(stats.worksApplied)
        } else {
          SimulatorStats.bump(stats.worksFailed)
        }
        observer?.workReported(namespace: name, name: workName, applied: outcome.applied)
      }
    }
  }

  /// Common ending of a work write: adopt the response, count, re-read on 409, forget on 404,
  /// back off on errors, and reconcile again.
  private func finishedWrite(_ workName: String, _ result: ClientResult, onSuccess: () -> Void) {
    guard works[workName] != nil else {
      // Deleted meanwhile (the DELETED event of the finalizer removal can overtake its response).
      if case .success(let r) = result, r.status == 200 { onSuccess() }
      return
    }
    works[workName]!.writing = false
    works[workName]!.dirty = false
    switch result {
    case .success(let r) where r.status == 200:
      if let object = try? JSONParser.parse(r.body), !isOlder(object, than: works[workName]!.object)
      {
        works[workName]!.object = object
      }
      onSuccess()
      reconcileWork(workName)
    case .success(let r) where r.status == 409:
      SimulatorStats.bump(stats.conflicts)
      rereadWork(workName)
    case .success(let r) where r.status == 404:
      works[workName] = nil
    default:
      failed(result)
      works[workName]!.writing = true
      io.after(nanos: 1_000_000_000) { [self] in
        works[workName]?.writing = false
        reconcileWork(workName)
      }
    }
  }

  private func rereadWork(_ workName: String) {
    works[workName]?.writing = true
    io.send(ClientRequest("GET", OCM.manifestWork(name, workName))) { [self] result in
      guard works[workName] != nil else { return }
      works[workName]!.writing = false
      switch result {
      case .success(let r) where r.status == 200:
        if let object = try? JSONParser.parse(r.body) { works[workName]!.object = object }
        reconcileWork(workName)
      case .success(let r) where r.status == 404:
        works[workName] = nil
      default:
        failed(result)
        works[workName]!.writing = true
        io.after(nanos: 1_000_000_000) { [self] in
          works[workName]?.writing = false
          reconcileWork(workName)
        }
      }
    }
  }
}
