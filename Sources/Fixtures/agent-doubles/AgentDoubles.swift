@main struct AgentDoubles { static func main() {} }
