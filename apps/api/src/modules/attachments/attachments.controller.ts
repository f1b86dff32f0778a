import { Controller, Get, Param, ParseUUIDPipe, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '@crewdesk/common';
import { CustomerAuth } from '@crewdesk/auth';
import { AttachmentsService } from '@crewdesk/tickets';
import { UploadedAttachmentDto } from './attachments.dto';

interface MultipartRequest {
  isMultipart(): boolean;
  file(): Promise<{ filename: string; file: NodeJS.ReadableStream & { truncated?: boolean } } | undefined>;
}
interface Reply {
  header(name: string, value: string): Reply;
}

export async function receiveUpload(req: MultipartRequest, attachments: AttachmentsService) {
  if (typeof req.isMultipart !== 'function' || !req.isMultipart()) {
    throw new AppError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      'Send the file as multipart/form-data in a field named "file"',
    );
  }
  const part = await req.file();
  if (!part) throw new AppError(ErrorCode.VALIDATION_FAILED, 'No file in the upload', { field: 'file' });
  return attachments.upload(part.filename, part.file as never);
}

export async function sendAttachment(
  id: string,
  attachments: AttachmentsService,
  reply: Reply,
): Promise<StreamableFile> {
  const { info, inline, stream } = await attachments.open(id);
  const encoded = encodeURIComponent(info.filename);
  reply
    .header('content-type', info.contentType)
    .header('content-length', String(info.size))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
    .header('cache-control', 'private, max-age=3600')
    .header(
      'content-disposition',
      `${inline ? 'inline' : 'attachment'}; filename="${encoded}"; filename*=UTF-8''${encoded}`,
    );
  return new StreamableFile(stream);
}

/** A download answers the file's bytes, not JSON. */
const FILE = {
  description: 'The bytes, typed as sniffed at upload: images, PDF and plain text inline, anything else as a download',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

/** Upload first (multipart, field `file`), then pass the ids as `attachmentIds` with a message. */
@ApiTags('attachments')
@ApiBearerAuth()
@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post('attachments')
  @ApiConsumes('multipart/form-data')
  @ApiCreatedResponse({ type: UploadedAttachmentDto })
  upload(@Req() req: MultipartRequest) {
    return receiveUpload(req, this.attachments);
  }

  @Get('attachments/:id')
  @ApiOkResponse(FILE)
  download(@Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: Reply) {
    return sendAttachment(id, this.attachments, reply);
  }

  @Post('portal/attachments')
  @CustomerAuth()
  @ApiConsumes('multipart/form-data')
  @ApiCreatedResponse({ type: UploadedAttachmentDto })
  customerUpload(@Req() req: MultipartRequest) {
    return receiveUpload(req, this.attachments);
  }

  @Get('portal/attachments/:id')
  @CustomerAuth()
  @ApiOkResponse(FILE)
  customerDownload(@Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: Reply) {
    return sendAttachment(id, this.attachments, reply);
  }
}
