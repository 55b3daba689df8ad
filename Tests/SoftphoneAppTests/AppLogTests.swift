import SoftphoneApp
import Testing

@Suite("The app's log options")
struct AppLogTests {
    @Test("--trace-sip gives the line a tracer; without it there is none (tracing costs nothing)")
    func tracerOnlyWhenAsked() {
        let off = AppOptions(demo: false, ascii: false, configuration: nil, environment: [:])
        #expect(off.sipTracer == nil)
        let on = AppOptions(demo: false, ascii: false, configuration: nil, environment: [:], traceSIP: true)
        #expect(on.sipTracer != nil)
    }

    @Test("The log path follows XDG_STATE_HOME, else HOME")
    func logPath() {
        let xdg = AppOptions(demo: true, ascii: false, configuration: nil,
                             environment: ["XDG_STATE_HOME": "/state", "HOME": "/home/ada"])
        #expect(xdg.logPath == "/state/softphone/softphone.log")
        let home = AppOptions(demo: true, ascii: false, configuration: nil, environment: ["HOME": "/home/ada"])
        #expect(home.logPath == "/home/ada/.local/state/softphone/softphone.log")
    }
}
