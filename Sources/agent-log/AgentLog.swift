@main struct AgentLog { static func main() {} }
