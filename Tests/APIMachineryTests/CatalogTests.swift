import APIMachinery
import Testing

private func definition(_ group: String, _ version: String, _ plural: String, kind: String = "K")
  -> ResourceDefinition
{
  ResourceDefinition(
    group: group, version: version, kind: kind, plural: plural, singular: plural,
    namespaced: true)
}

/// Path lookups (bucketed by the plural's bytes) find exactly what a dictionary keyed by
/// group, version and plural finds.
@Suite struct CatalogTests {
  @Test func everyBuiltInIsFoundByItsPath() {
    let snapshot = Catalog().snapshot
    for d in Catalog.builtIn {
      let found = snapshot.resource(group: d.group, version: d.version, plural: d.plural)
      #expect(found?.kind == d.kind, "\(d.group)/\(d.version)/\(d.plural)")
      #expect(snapshot.resource(group: d.group, version: d.version + "x", plural: d.plural) == nil)
      #expect(snapshot.resource(group: d.group + "x", version: d.version, plural: d.plural) == nil)
      #expect(snapshot.resource(group: d.group, version: d.version, plural: d.plural + "s") == nil)
    }
    #expect(snapshot.resource(group: "", version: "v1", plural: "") == nil)
    #expect(snapshot.resource(group: "", version: "v1", plural: "cönfigmaps") == nil)
  }

  @Test func laterDefinitionsOfAPathWinAndVersionsStayApart() {
    let catalog = Catalog([
      definition("g", "v1", "widgets", kind: "Old"), definition("g", "v2", "widgets", kind: "Two"),
      definition("g", "v1", "widgets", kind: "New"),
    ])
    let snapshot = catalog.snapshot
    #expect(snapshot.resource(group: "g", version: "v1", plural: "widgets")?.kind == "New")
    #expect(snapshot.resource(group: "g", version: "v2", plural: "widgets")?.kind == "Two")
  }

  /// A plural that is not ASCII turns the index off; lookups still work, by the dictionary.
  @Test func nonASCIIPluralsAreStillServed() {
    let snapshot = Catalog([definition("g", "v1", "wïdgets"), definition("g", "v1", "gadgets")])
      .snapshot
    #expect(snapshot.resource(group: "g", version: "v1", plural: "wïdgets") != nil)
    #expect(snapshot.resource(group: "g", version: "v1", plural: "wi\u{308}dgets") != nil)
    #expect(snapshot.resource(group: "g", version: "v1", plural: "gadgets") != nil)
    #expect(snapshot.resource(group: "g", version: "v1", plural: "widgets") == nil)
  }
}
