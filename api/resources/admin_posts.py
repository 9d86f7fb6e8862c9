"""Admin: curating the stories staff share."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.models.posts import Post
from api.pagination import SortKey, paginate
from api.services import posts
from schemas.common import page_of
from schemas.posts import AdminPostQueryArgsSchema, AdminPostSchema, PostPatchSchema, PostWriteSchema

URL_PREFIX = "/admin/posts"
blp = Blueprint("admin_posts", __name__, description="Admin: posts, targeting and scheduling")


@blp.route("")
class AdminPosts(MethodView):
    @require_role("admin")
    @blp.arguments(AdminPostQueryArgsSchema, location="query")
    @blp.response(200, page_of(AdminPostSchema))
    def get(self, args: dict):
        """All posts, newest first, optionally by state (draft, scheduled, live, expired) or campaign"""
        rows, next_cursor = paginate(
            db.session, posts.admin_list_query(args.get("state"), args.get("campaign")),
            [SortKey(Post.id)], lambda p: [p.id], limit=args["limit"], cursor=args["cursor"], scope="admin-posts",
        )
        return {"items": posts.admin_views(db.session, rows), "next_cursor": next_cursor}

    @require_role("admin")
    @blp.arguments(PostWriteSchema)
    @blp.response(201, AdminPostSchema)
    def post(self, data: dict):
        """Create a post: publish now, schedule it (`publish_at`), or keep it as a draft

        Captions must fit each network (X 280, LinkedIn 3000, Facebook 63206, Instagram
        2200 characters); `target_team_ids` empty means everyone. With `notify`, targeted
        staff who opted in get a push when it goes live.
        """
        post = posts.create_post(db.session, data, author_id=current_user().id)
        return posts.admin_views(db.session, [post])[0]


@blp.route("/<int:post_id>")
class AdminPost(MethodView):
    @require_role("admin")
    @blp.response(200, AdminPostSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, post_id: int):
        """One post with its state and counts"""
        return posts.admin_views(db.session, [posts.get_post(db.session, post_id)])[0]

    @require_role("admin")
    @blp.arguments(PostPatchSchema)
    @blp.response(200, AdminPostSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, post_id: int):
        """Edit a post (shares already made keep the caption they were made with)"""
        post = posts.update_post(db.session, posts.get_post(db.session, post_id), data)
        return posts.admin_views(db.session, [post])[0]

    @require_role("admin")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, post_id: int):
        """Remove a post from every feed (points already earned on it stay)"""
        posts.delete_post(db.session, posts.get_post(db.session, post_id))
        return None
