import Glibc
import WeftCore

/// Persistence of the graph: `commit-<generation>.log` files of changes and `snapshot-<generation>.bin`
/// dumps in one folder per index. Start-up loads the newest snapshot and replays the logs of its
/// generation and later; a snapshot starts a new generation and removes what it replaces.
extension HNSWIndex {
    public struct LoadReport: Sendable, Equatable {
        public var snapshotGeneration: UInt32?
        public var replayedRecords: Int
        /// Set when a torn last record was dropped (a crash while it was written).
        public var warning: String?
    }

    /// Opens the index persisted in `directory` (created when missing). Vectors are not in these
    /// files: the caller hands them back with `restoreVector` and then `finishRestore`.
    /// `dimension`: the vector space's dimension when known (it is not in the commit log).
    public static func open(directory: String, configuration: HNSWConfiguration, dimension: Int?) throws(WeftError) -> (HNSWIndex, LoadReport) {
        try FileSystem.makeDirectories(directory)
        let index = HNSWIndex(configuration: configuration)
        index.pendingDimension = dimension
        var report = LoadReport(snapshotGeneration: nil, replayedRecords: 0, warning: nil)
        let files = FileSystem.listFiles(directory)
        let snapshots = files.compactMap { generationOf($0, prefix: "snapshot-", suffix: ".bin") }.sorted()
        let logs = files.compactMap { generationOf($0, prefix: "commit-", suffix: ".log") }.sorted()
        var generation: UInt32 = 0
        if let newest = snapshots.last {
            let path = "\(directory)/snapshot-\(newest).bin"
            guard let bytes = FileSystem.readFile(path) else { throw .internalError("cannot read \(path)") }
            let snapshot = try HNSWSnapshot.decode(bytes, path: path)
            index.restore(snapshot)
            index.snapshotBytes = bytes.count
            generation = newest
            report.snapshotGeneration = newest
        }
        for logGeneration in logs where logGeneration >= generation {
            let path = "\(directory)/commit-\(logGeneration).log"
            let read = try CommitLog.read(path: path)
            if read.truncatedTail {
                guard logGeneration == logs.last else { throw .internalError("\(path): torn record in a log that is not the newest") }
                guard truncate(path, off_t(read.validLength)) == 0 else { throw .internalError("cannot truncate \(path)") }
                report.warning = "dropped a torn record at the end of \(path) (byte \(read.validLength))"
            }
            for record in read.records { index.apply(record) }
            report.replayedRecords += read.records.count
            generation = max(generation, logGeneration)
        }
        index.directory = directory
        index.generation = generation
        index.awaitingVectors = index.graph != nil
        index.commitLog = try CommitLog(path: "\(directory)/commit-\(generation).log", generation: generation)
        return (index, report)
    }

    /// Sets the vector of a restored node (read from the object store).
    public func restoreVector(_ docID: UInt64, _ vector: [Float]) {
        memory.withReadLock {
            guard let graph, let id = UInt32(exactly: docID), graph.exists(id), vector.count == graph.dimension else { return }
            let prepared = metric.prepared(vector)
            if let cache = graph.cache {
                // Fill the cache only up to the share an eviction would leave; searches load the rest.
                if cache.count.load(ordering: .relaxed) < cache.limit.load(ordering: .relaxed) * 3 / 4 { cache.put(id, prepared) }
                return
            }
            prepared.withUnsafeBufferPointer { graph.vector(id)!.update(from: $0.baseAddress!, count: graph.dimension) }
        }
    }

    /// Live docIDs of the restored graph, to reconcile with the object store.
    public var docIDs: [UInt64] {
        memory.withReadLock {
            guard let graph else { return [] }
            return (0..<graph.capacity).filter { graph.levels[$0] >= 0 && graph.tombstones[$0] == 0 }.map(UInt64.init)
        }
    }

    public func contains(_ docID: UInt64) -> Bool {
        memory.withReadLock {
            guard let graph, let id = UInt32(exactly: docID) else { return false }
            return graph.exists(id) && !graph.isTombstoned(id)
        }
    }

    /// Writes a snapshot of the graph and starts a new commit log; older files are removed.
    public func writeSnapshot() throws(WeftError) {
        try memory.withWriteLock { () throws(WeftError) in
            guard let directory else { return }
            try commitLog?.sync()
            let next = generation + 1
            let snapshot = makeSnapshot(generation: next).encoded()
            try OutputFile.writeAtomically(snapshot, to: "\(directory)/snapshot-\(next).bin")
            snapshotBytes = snapshot.count
            commitLog = try CommitLog(path: "\(directory)/commit-\(next).log", generation: next)
            generation = next
            for file in FileSystem.listFiles(directory) {
                let old = Self.generationOf(file, prefix: "snapshot-", suffix: ".bin") ?? Self.generationOf(file, prefix: "commit-", suffix: ".log")
                if let old, old < next { unlink("\(directory)/\(file)") }
            }
            FileSystem.syncDirectory(of: "\(directory)/x")
        }
    }

    /// Hands buffered log records to the OS (at shutdown).
    public func flushLog() throws(WeftError) { try commitLog?.flush() }

    func makeSnapshot(generation: UInt32) -> HNSWSnapshot {
        let (entryNode, entryLevel) = entry.withLock { ($0.node, $0.level) }
        guard let graph else {
            return HNSWSnapshot(generation: generation, dimension: 0, maxConnections: settings.maxConnections, idBound: 0,
                                entryPoint: nil, entryLevel: -1, nodes: [])
        }
        var nodes: [HNSWSnapshot.Node] = []
        var bound = 0
        for index in 0..<graph.capacity where graph.levels[index] >= 0 {
            let id = UInt32(index)
            let level = Int(graph.levels[index])
            let links = (0...level).map { layer -> [UInt32] in
                let list = graph.links(id, level: layer)
                return (0..<Int(list[0])).map { list[1 + $0] }
            }
            nodes.append(.init(id: id, level: UInt8(level), tombstone: graph.isTombstoned(id), links: links))
            bound = index + 1
        }
        return HNSWSnapshot(generation: generation, dimension: graph.dimension, maxConnections: graph.maxConnections,
                            idBound: bound, entryPoint: entryNode, entryLevel: entryLevel, nodes: nodes)
    }

    private func restore(_ snapshot: HNSWSnapshot) {
        guard snapshot.dimension > 0 else { return }
        memory.withWriteLock {
            let graph = HNSWGraph(dimension: snapshot.dimension, maxConnections: snapshot.maxConnections, capacity: max(snapshot.idBound, 16))
            for node in snapshot.nodes {
                graph.place(node.id, level: Int(node.level), vector: [Float](repeating: 0, count: snapshot.dimension))
                graph.markReady(node.id)
                for (level, links) in node.links.enumerated() {
                    let list = graph.links(node.id, level: level)
                    for (offset, target) in links.prefix(graph.maxLinks(level: level)).enumerated() { list[1 + offset] = target }
                    list[0] = UInt32(min(links.count, graph.maxLinks(level: level)))
                }
                if node.tombstone {
                    graph.setTombstone(node.id)
                    tombstoneCount.add(1, ordering: .relaxed)
                }
            }
            self.graph = graph
            liveCount.store(snapshot.nodes.filter { !$0.tombstone }.count, ordering: .relaxed)
            entry.withLock { $0 = EntryState(node: snapshot.entryPoint, level: snapshot.entryLevel) }
        }
    }

    /// Applies one logged change while loading. Tolerant of records that refer to nodes a later
    /// record removed (the log is replayed in order, so the final state is what was logged).
    func apply(_ record: CommitLogRecord) {
        memory.withWriteLock {
            switch record {
            case .addNode(let id, let level):
                guard let dimension = graph?.dimension ?? pendingDimension else { return }
                if graph == nil { graph = HNSWGraph(dimension: dimension, maxConnections: settings.maxConnections, capacity: Int(id) + 1) }
                guard let graph else { return }
                if Int(id) >= graph.capacity { graph.grow(to: max(Int(id) + 1, graph.capacity + graph.capacity / 2)) }
                if !graph.exists(id) { liveCount.add(1, ordering: .relaxed) }
                graph.place(id, level: Int(level), vector: [Float](repeating: 0, count: graph.dimension))
                graph.markReady(id)
            case .setEntryPoint(let id, let level):
                entry.withLock { $0 = EntryState(node: id, level: Int(level)) }
            case .addLink(let id, let level, let target):
                guard let graph, graph.exists(id), Int(graph.levels[Int(id)]) >= Int(level) else { return }
                let list = graph.links(id, level: Int(level))
                let count = Int(list[0])
                guard count < graph.maxLinks(level: Int(level)) else { return }
                list[1 + count] = target
                list[0] = UInt32(count + 1)
            case .replaceLinks(let id, let level, let targets):
                guard let graph, graph.exists(id), Int(graph.levels[Int(id)]) >= Int(level) else { return }
                let list = graph.links(id, level: Int(level))
                let kept = targets.prefix(graph.maxLinks(level: Int(level)))
                for (offset, target) in kept.enumerated() { list[1 + offset] = target }
                list[0] = UInt32(kept.count)
            case .addTombstone(let id):
                guard let graph, graph.exists(id), !graph.isTombstoned(id) else { return }
                graph.setTombstone(id)
                liveCount.add(-1, ordering: .relaxed)
                tombstoneCount.add(1, ordering: .relaxed)
            case .removeNode(let id):
                guard let graph, graph.exists(id) else { return }
                if graph.isTombstoned(id) { tombstoneCount.add(-1, ordering: .relaxed) } else { liveCount.add(-1, ordering: .relaxed) }
                graph.remove(id)
            }
        }
    }

    /// Drops links to nodes that do not exist (e.g. the log's tail was lost after a link to a node
    /// whose own record was lost), repairs the entry point, removes deleted nodes still waiting
    /// for cleanup (their vectors are gone from the object store, so they could only mislead a
    /// search that walks through them), completes inserts the crash cut short and links
    /// unreachable nodes. Called once after loading, with the vectors back.
    @discardableResult
    public func finishRestore() -> (completed: Int, relinked: Int) {
        memory.withWriteLock {
            awaitingVectors = false
            guard let graph else { return }
            Self.dropDanglingLinks(graph)
            graph.releaseAllDeadPages()
            entry.withLock { state in
                if let node = state.node, graph.exists(node), Int(graph.levels[Int(node)]) == state.level { return }
                state = graph.highestNode().map { EntryState(node: $0.node, level: $0.level) } ?? EntryState()
            }
        }
        if pendingTombstones > 0 { cleanUpTombstones() }
        let completed = completeUnfinishedInserts()
        return (completed, linkUnreachableNodes())
    }

    /// Removes every link to a node that does not exist or does not reach the link's layer (a
    /// replayed log can hold links to nodes whose own records were lost).
    static func dropDanglingLinks(_ graph: HNSWGraph) {
        for index in 0..<graph.capacity where graph.levels[index] >= 0 {
            for level in 0...Int(graph.levels[index]) {
                let list = graph.links(UInt32(index), level: level)
                var kept = 0
                for offset in 0..<Int(list[0]) {
                    let target = list[1 + offset]
                    if graph.exists(target), Int(graph.levels[Int(target)]) >= level {
                        list[1 + kept] = target
                        kept += 1
                    }
                }
                list[0] = UInt32(kept)
            }
        }
    }

    static func generationOf(_ name: String, prefix: String, suffix: String) -> UInt32? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return UInt32(name.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
