/**
 * The sentences the server sends to people, in English: the reference that every other language
 * must match key for key (server/i18n/de.ts, fr.ts), with the same {placeholders}. Sentences for
 * the operator (logs, audit entries) and data export formats stay in English and are not here.
 */
export const en = {
  'api.noRoute': 'There is no API route {method} {path}.',

  'request.crossSite': 'Cross-site request refused.',
  'request.jsonOnly': 'Send the request body as JSON, with Content-Type: application/json.',
  'request.invalidJson': 'The request body must be valid JSON.',
  'request.invalidField': 'Invalid {field}: {problem}',
  'request.invalidCursor': 'Invalid cursor: start again from the first page.',

  // Fragments that follow "Invalid {field}: ".
  'validation.notEmpty': 'must not be empty',
  'validation.maxChars': 'must be at most {max} characters',

  'auth.tokenCheckUnavailable': 'The sign-in service is unreachable, so the token cannot be checked; please try again.',
  'auth.invalidToken': 'The access token is not valid for this application.',
  'auth.guestsNotAllowed': 'Guest accounts may not use the assistant.',
  'auth.notInAllowedGroup': 'You are not in a group allowed to use the assistant.',
  'auth.accountDisabled': 'Your account is disabled in the assistant. Contact your administrator.',
  'auth.graphUnreachable': 'Microsoft Graph is unreachable, so your groups cannot be read; please try again.',
  'auth.groupsUnreadable': 'Your groups could not be read from Microsoft Graph.',
  'auth.signInRequired': 'Please sign in to continue.',
  'auth.entraUnreachable': 'The sign-in service (Microsoft Entra ID) is unreachable; please try again in a moment.',
  'auth.sessionEnded': 'Your session has ended. Please sign in again.',
  'auth.badAuthorizationHeader': 'The Authorization header must be "Bearer <token>".',
  'auth.roleRequired': 'This needs the {role} role.',
  'auth.signInNotStarted': 'Sign-in could not be started. Please try again.',

  'notFound.user': 'User not found',
  'notFound.chat': 'Chat not found',
  'notFound.share': 'Share not found',
  'notFound.sharedChat': 'Shared chat not found',
  'notFound.document': 'Document not found',
  'notFound.group': 'Group not found',
  'notFound.library': 'Library not found',
  'notFound.message': 'Message not found',
  'notFound.answer': 'Answer not found',
  'notFound.assistant': 'Assistant not found',
  'notFound.photo': 'No photo for this user',

  'admin.cannotDisableSelf': 'You cannot disable your own account; ask another administrator.',
  'admin.retentionRunning': 'Retention is already running on another server; try again in a few minutes.',

  'assistants.nameEmpty': 'the name must not be empty',
  'assistants.nameTooLong': 'the name must be at most {max} characters',
  'assistants.promptEmpty': 'the system prompt must not be empty',
  'assistants.promptTooLong': 'the system prompt must be at most {max} characters',
  'assistants.descriptionTooLong': 'the description must be at most {max} characters',
  'assistants.iconInvalid': 'the icon must be a Lucide icon name such as i-lucide-book-open',
  'assistants.starterEmpty': 'a starter prompt must not be empty',
  'assistants.starterTooLong': 'a starter prompt must be at most {max} characters',
  'assistants.tooManyStarters': 'at most {max} starter prompts',
  'assistants.modelNotOffered': 'the default model must be one of the models offered',

  'chat.messageEmpty': 'the message is empty.',
  'chat.modelUnavailable': 'The model "{model}" is not available; pick one of the models offered.',
  'chat.messageTooLong': 'Your message is too long: the limit is {limit} characters.',
  'chat.busy': 'This chat is already being answered. Wait for the answer or press Stop.',
  'chat.restarting': 'The server is restarting; please send again in a moment.',
  'chat.messageIdInUse': 'This message id is already in use; send the message with a new id.',
  'chat.interrupted': 'The answer was interrupted before it was complete. Regenerate it to try again.',
  'chat.restarted': 'The answer was interrupted by a server restart. Regenerate it to try again.',
  'chat.stopped': 'Stopped before the answer was complete.',
  // {categories}: empty, or the filter's categories in brackets after a space, e.g. " (hate)".
  'chat.contentFilterCut': 'The rest of this answer was withheld by the company\'s content filter{categories}.',
  'chat.maxLength': 'The answer reached the maximum length and was cut.',
  'chat.failed': 'The answer failed.',

  'model.contentFilter': 'Your message was blocked by the company\'s content filter{categories}. Please rephrase it.',
  'model.misconfigured': 'The assistant is misconfigured and cannot reach the model right now. Your message is saved; please tell the service desk.',
  'model.rateLimit': 'The assistant is busy right now (Azure OpenAI rate limit). Please try again in {seconds} seconds.',
  'model.streamLost': 'The connection to the model was lost in the middle of the answer. Please try again.',
  'model.timeout': 'The model took too long to answer. Please try again.',
  'model.failed': 'The model service failed to answer. Please try again in a moment.',
  'model.unreachable': 'The model service could not be reached. Please try again in a moment.',

  'limits.requestsPerMinute': 'You have sent {count} messages in the last minute, the most allowed. Please wait {seconds} seconds.',
  'limits.dailyTokens': 'You have used today\'s allowance of {tokens} tokens. It renews at midnight UTC.',

  'documents.fileTooLarge': 'The file is larger than {max}; the limit is {max} (DOCUMENT_MAX_MB).',
  'documents.fileSizeOverLimit': 'The file is {size}; the limit is {max} (DOCUMENT_MAX_MB).',
  'documents.multipartRequired': 'Send the document as multipart/form-data, the file in a field named "file".',
  'documents.fileRequired': 'Attach a non-empty file in the field named "file".',
  'documents.unsupportedType': '"{name}" is not a document the assistant can read. Only PDF, Word (.docx), Markdown, HTML and plain text files can be uploaded.',
  'documents.pdfUnreadable': 'The PDF could not be read: it is damaged or protected by a password.',
  'documents.wordUnreadable': 'The Word document could not be read: it is damaged.',
  'documents.tooManyPages': 'The PDF has {pages} pages; the limit is {max} pages (DOCUMENT_MAX_PAGES).',
  'documents.removeForbidden': 'Only the owner of a shared document or an admin can remove it.',

  'database.unavailable': 'The database is unavailable right now. Please try again in a moment; nothing you sent before this was lost.',
  'database.starting': 'The database is starting; please try again shortly.',
  'database.unreachable': 'The database is not reachable; please try again shortly.',
} as const

export type MessageKey = keyof typeof en

/** What a language must provide: every key, nothing else. */
export type Messages = Record<MessageKey, string>
