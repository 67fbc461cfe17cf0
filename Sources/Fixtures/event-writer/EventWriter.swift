@main struct EventWriter { static func main() {} }
