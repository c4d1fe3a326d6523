import Vapor

extension SubmitComplaint.AttachmentRejection {
    /// The refusal in the reader's language, naming the file: the citizen's form, the reporter's reply and the
    /// complaint page all say it so.
    func words(_ req: Request) -> String {
        switch self {
        case .tooMany(let limit): req.text("ws_err_attachments_count", ["n": "\(limit)"])
        case .tooLarge(let file, let maxBytes): req.text("ws_err_attachments_large", ["file": file, "mb": "\(maxBytes / 1_048_576)"])
        case .unsupported(let file, _): req.text("ws_err_attachments_type", ["file": file])
        }
    }
}
