/**
 * Attachments of inbound mail into the Media Library, streamed from the spool files through Strapi's upload service
 * (so they appear in the Media Library, on whatever upload provider the site uses). The import uploads them before
 * the message's transaction (`stage`), and removes them again when no committed message links them (`discard`);
 * a process killed in between leaves unlinked files in the Media Library, never a message without its attachments.
 */
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import { storedAttachmentName } from '../mail/attachment-safety';
import type { ParsedMail, SpooledAttachment } from '../mail/types';
import type { StagedAttachments } from '../ingest/store';

type Row = Record<string, unknown> & { id: number };

export function createAttachmentStore(strapi: Core.Strapi) {
  const query = (uid: string) => strapi.db.query(uid as never);

  /**
   * Stores bytes as they are, skipping the upload plugin's image processing (thumbnails, optimisation). Used when
   * that processing refuses a file (a truncated or damaged image): the attachment is kept rather than the message
   * being lost over a thumbnail.
   */
  async function uploadAsPlainFile(
    attachment: SpooledAttachment,
    displayName: string,
    storageName: string
  ): Promise<Row> {
    const uploads = strapi.plugin('upload');
    const entity = (await uploads
      .service('upload')
      .formatFileInfo(
        { filename: storageName, type: 'application/octet-stream', size: attachment.size },
        { name: displayName }
      )) as Record<string, unknown>;
    entity.filepath = attachment.tempPath;
    entity.getStream = () => fs.createReadStream(attachment.tempPath);
    await uploads.service('provider').checkFileSize(entity);
    await uploads.service('provider').upload(entity);
    entity.provider = (strapi.config.get('plugin::upload') as { provider: string }).provider;
    return (await query('plugin::upload.file').create({ data: entity })) as Row;
  }

  async function uploadOne(attachment: SpooledAttachment): Promise<Row> {
    const names = storedAttachmentName(attachment.filename, attachment.contentType);
    try {
      const [file] = (await strapi
        .plugin('upload')
        .service('upload')
        .upload({
          data: { fileInfo: { name: names.displayName } },
          files: {
            filepath: attachment.tempPath,
            originalFilename: names.storageName,
            mimetype: names.mimeType,
            size: attachment.size,
          },
        })) as Row[];
      return file;
    } catch (error) {
      if (!/not a valid image/i.test((error as Error).message)) throw error;
      return uploadAsPlainFile(attachment, names.displayName, names.storageName);
    }
  }

  /** Removes uploaded files (storage and Media Library row); one that cannot be removed does not stop the others. */
  async function discard(staged: StagedAttachments): Promise<void> {
    const uploads = strapi.plugin('upload').service('upload');
    for (const id of staged.fileIds) {
      try {
        const file = (await uploads.findOne(id)) as Row | null;
        if (file) await uploads.remove(file);
      } catch (error) {
        strapi.log.warn(
          `email-piping: attachment file #${id} of a mail that made no message could not be removed: ${(error as Error).message}`
        );
      }
    }
  }

  /** Uploads every attachment of the mail; if one fails, those already uploaded are removed again. */
  async function uploadAttachments(mail: ParsedMail): Promise<StagedAttachments> {
    const staged: StagedAttachments = { fileIds: [], inlineParts: [] };
    try {
      for (const attachment of mail.attachments) {
        const file = await uploadOne(attachment);
        staged.fileIds.push(file.id);
        if (attachment.contentId) {
          staged.inlineParts.push({
            contentId: attachment.contentId,
            fileId: file.id,
            url: String(file.url),
            filename: attachment.filename,
            contentType: attachment.contentType,
          });
        }
      }
    } catch (error) {
      await discard(staged);
      throw error;
    }
    return staged;
  }

  return { uploadAttachments, discard };
}
