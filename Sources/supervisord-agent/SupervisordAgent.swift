@main struct SupervisordAgent { static func main() {} }
