/// The folder part of a file path, as `NSString.deletingLastPathComponent` gives it: "" for a bare name, "/" for a
/// file at the root.
func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
