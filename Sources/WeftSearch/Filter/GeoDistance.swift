import Glibc

/// Great-circle distances on a sphere of the Earth's mean radius (what `WithinGeoRange` measures).
enum GeoDistance {
    static let earthRadiusMeters = 6_371_000.0
    static let metersPerDegreeLatitude = earthRadiusMeters * Double.pi / 180

    static func meters(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let phi1 = lat1 * .pi / 180, phi2 = lat2 * .pi / 180
        let dPhi = (lat2 - lat1) * .pi / 180, dLambda = (lon2 - lon1) * .pi / 180
        let a = sin(dPhi / 2) * sin(dPhi / 2) + cos(phi1) * cos(phi2) * sin(dLambda / 2) * sin(dLambda / 2)
        return 2 * earthRadiusMeters * asin(min(1, sqrt(a)))
    }
}
