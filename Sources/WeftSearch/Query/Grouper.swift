import WeftCore

/// `groupBy`: results (already in rank order) grouped by a property's value, groups in the order
/// their best member ranks, at most `objectsPerGroup` per group and `groups` groups. An object
/// with an array value joins the group of each element; one without the property joins none.
enum Grouper {
    static func group(_ results: [SearchResult], by groupBy: GroupBy) -> [ResultGroup] {
        var groups: [ResultGroup] = []
        var indexByValue: [String: Int] = [:]
        for result in results {
            let values: [JSONValue]
            switch result.object.properties[groupBy.property] {
            case nil, .null?: continue
            case .array(let items)?: values = items
            case let value?: values = [value]
            }
            for value in values {
                let key = JSONWriter.string(value)
                if let index = indexByValue[key] {
                    guard groups[index].results.count < groupBy.objectsPerGroup else { continue }
                    groups[index].results.append(result)
                    if let distance = result.distance {
                        groups[index].minDistance = min(groups[index].minDistance, distance)
                        groups[index].maxDistance = max(groups[index].maxDistance, distance)
                    }
                } else if groups.count < groupBy.groups {
                    indexByValue[key] = groups.count
                    groups.append(ResultGroup(value: value, results: [result], minDistance: result.distance ?? 0, maxDistance: result.distance ?? 0))
                }
            }
        }
        return groups
    }
}
