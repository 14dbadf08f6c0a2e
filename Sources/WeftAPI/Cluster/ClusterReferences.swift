import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Cross-references whose targets other nodes hold: read from those nodes before the reply is
/// encoded (level by level, as deep as the selection nests), so the resolver finds them.
struct ClusterReferences {
    let cluster: ClusterNode

    /// One level of a reference selection: the property and what is selected of its targets.
    struct Selection: Sendable {
        var property: String
        var nested: [Selection]

        init(property: String, nested: [Selection]) {
            self.property = property
            self.nested = nested
        }

        init(_ proto: Weaviate_V1_RefPropertiesRequest) {
            property = proto.referenceProperty
            nested = proto.properties.refProperties.map(Selection.init)
        }
    }

    /// The remote targets of `objects` (of `definition`) that `selections` reach.
    func prefetch(_ objects: [StoredObject], definition: CollectionDefinition, selections: [Selection],
                  tenant: String?) async throws(WeftError) -> [String: [ObjectID: StoredObject]] {
        var fetched: [String: [ObjectID: StoredObject]] = [:]
        var level: [(object: StoredObject, definition: CollectionDefinition, selections: [Selection])] = objects.map { ($0, definition, selections) }
        var depth = 0
        while !level.isEmpty, depth < ReferenceResolver.maximumDepth {
            let resolver = ReferenceResolver(database: cluster.database, prefetched: fetched)
            // Remote targets of this level, by node and collection.
            var wanted: [String: [String: (collection: Collection, ids: [ObjectID])]] = [:]
            for entry in level {
                for selection in entry.selections {
                    for target in resolver.remoteTargets(of: entry.object, property: selection.property, in: entry.definition, tenant: tenant)
                    where fetched[target.collection.name]?[target.id] == nil {
                        wanted[target.node, default: [:]][target.collection.name, default: (target.collection, [])].ids.append(target.id)
                    }
                }
            }
            for (node, byCollection) in wanted {
                for (name, entry) in byCollection {
                    var request = Weft_Internal_V1_GetObjectsRequest()
                    request.collection = name
                    request.tenant = entry.collection.isMultiTenant ? tenant ?? "" : ""
                    request.ids = Array(Set(entry.ids)).map(\.description)
                    request.vectorNames = entry.collection.definition.vectorNames
                    let message = request
                    let reply = try await cluster.peers.call(node) { client, options in try await client.getObjects(message, options: options) }
                    for found in reply.objects where found.hasObject {
                        let object = try InternalMessages.object(found.object)
                        fetched[name, default: [:]][object.id] = object
                    }
                }
            }
            // The next level: every target (local or fetched) with what is selected of it. Reading
            // this node's targets is engine work: on a lane.
            let complete = ReferenceResolver(database: cluster.database, prefetched: fetched)
            let database = cluster.database, current = level
            level = try await database.executor.run(.query) { () throws(WeftError) in
                var next: [(object: StoredObject, definition: CollectionDefinition, selections: [Selection])] = []
                for entry in current {
                    for selection in entry.selections where !selection.nested.isEmpty {
                        for target in complete.targets(of: entry.object, property: selection.property, in: entry.definition, tenant: tenant) {
                            guard let targetDefinition = database.collection(named: target.className)?.definition else { continue }
                            next.append((target.object, targetDefinition, selection.nested))
                        }
                    }
                }
                return next
            }
            depth += 1
        }
        return fetched
    }

    /// Whether resolving `selections` from `definition` may reach a collection spread over nodes.
    static func mayReachOtherNodes(_ definition: CollectionDefinition, selections: [Selection], database: Database) -> Bool {
        guard database.cluster != nil, !selections.isEmpty else { return false }
        for selection in selections {
            guard let property = definition.property(named: selection.property), case .reference(let targets) = property.dataType else { continue }
            for target in targets {
                guard let collection = database.collection(named: target) else { continue }
                if collection.isSpread { return true }
                if mayReachOtherNodes(collection.definition, selections: selection.nested, database: database) { return true }
            }
        }
        return false
    }
}
