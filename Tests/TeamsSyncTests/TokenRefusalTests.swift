import Foundation
import Testing
@testable import TeamsSync

@Suite("Token endpoint refusals, classified")
struct TokenRefusalTests {
    func refusal(_ status: Int, _ json: String) -> TokenRefusal { TokenRefusal(status: status, body: Data(json.utf8)) }

    @Test("a permission the stored sign-in was never granted (consent, scope) asks the agent to sign in again")
    func consentMissing() {
        for code in ["invalid_grant", "interaction_required", "consent_required", "invalid_scope"] {
            let classified = refusal(400, #"{"error":"\#(code)","error_description":"AADSTS65001: The user or administrator has not consented"}"#)
            guard case .signInAgain(let got, _) = classified else {
                Issue.record("\(code): \(classified)")
                continue
            }
            #expect(got == code)
        }
        guard case .transient = refusal(400, #"{"error":"temporarily_unavailable"}"#) else {
            Issue.record("temporarily_unavailable is transient")
            return
        }
        guard case .other = refusal(400, #"{"error":"unsupported_grant_type"}"#) else {
            Issue.record("anything else is other")
            return
        }
    }
}
