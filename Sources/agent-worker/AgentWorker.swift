@main struct AgentWorker { static func main() {} }
